import { Before, Controller, Get, Post, RequireAuth, admin, requireAdmin } from 'stryke';
import { ApplicationController } from './application_controller';

/**
 * The admin at /admin, written by `stryke generate admin`: every model, from its metadata (docs/admin.md).
 * Signed-in users only (@RequireAuth), and only those with `admin` true on their User (others get 403).
 * Customise one model's pages in app/admin/<table>.ts.
 */
@Controller('/admin')
@RequireAuth()
@Before('requireAdmin')
export class AdminController extends ApplicationController {
  @Get('/', { as: 'admin' }) dashboard() { return admin.dashboard(this); }
  @Get('/audit', { as: 'admin_audit' }) audit() { return admin.auditLog(this); }
  @Get('/:model') index() { return admin.index(this); }
  @Get('/:model/export') export() { return admin.export(this); }
  @Get('/:model/new') new() { return admin.new(this); }
  @Post('/:model') create() { return admin.create(this); }
  @Post('/:model/bulk_delete') bulkDelete() { return admin.bulkDelete(this); }
  @Get('/:model/:id') show() { return admin.show(this); }
  @Get('/:model/:id/edit') edit() { return admin.edit(this); }
  @Post('/:model/:id') update() { return admin.update(this); }
  @Post('/:model/:id/delete') destroy() { return admin.destroy(this); }

  private requireAdmin() {
    requireAdmin(this);
  }
}
