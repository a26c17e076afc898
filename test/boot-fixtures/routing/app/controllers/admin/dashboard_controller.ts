import { ActionController } from 'stryke';

export class DashboardController extends ActionController {
  index() {
    return { admin: true };
  }
}
