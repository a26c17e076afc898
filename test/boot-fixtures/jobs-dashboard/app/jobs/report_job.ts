import { ApplicationJob, Job } from 'stryke/jobs';

/** Fails when asked to, with the title (user data) in its message. */
@Job({ queue: 'reports', attempts: 1 })
export class ReportJob extends ApplicationJob {
  async perform(title: string, fail: boolean) {
    if (fail) throw new Error(`Could not build report ${title}`);
    return `built ${title}`;
  }
}
