import { ActionController, Controller, Get, Service } from 'stryke';

export interface Mailer {
  send(to: string): void;
}

@Service()
export class ReportService {
  constructor(readonly mailer: Mailer) {}
}

@Controller('/reports')
export class ReportsController extends ActionController {
  constructor(private readonly reports: ReportService) {
    super();
  }

  @Get('/')
  index() {
    return { ok: !!this.reports };
  }
}
