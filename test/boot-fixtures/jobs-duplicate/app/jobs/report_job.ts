import { ApplicationJob, Job } from 'stryke/jobs';

/** One of two job classes named ReportJob: the app must not boot. */
@Job({ queue: 'reports' })
export class ReportJob extends ApplicationJob {
  async perform() {
    return 'the public report';
  }
}
