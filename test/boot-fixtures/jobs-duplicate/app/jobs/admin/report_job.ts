import { ApplicationJob, Job } from 'stryke/jobs';

/** The other ReportJob, in another file: a worker could not tell the two apart by the job's name. */
@Job({ queue: 'admin' })
export class ReportJob extends ApplicationJob {
  async perform() {
    return 'the admin report';
  }
}
