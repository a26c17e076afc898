import { AllowAnonymous, Controller, Get, pwa, type PwaOptions } from 'stryke';
import { ApplicationController } from './application_controller';

/** The app as an installable PWA (written by `stryke generate pwa`; docs/pwa.md): change the name and colours here. */
const APP: PwaOptions = { name: 'stryke blog', shortName: 'blog', themeColor: '#1d2330', backgroundColor: '#fafaf7', colors: ['#e4572e', '#1d2330'] };

@Controller('')
@AllowAnonymous()
export class PwaController extends ApplicationController {
  /** The service worker: its cache version follows the asset fingerprints of `stryke build`. */
  @Get('/service-worker.js') serviceWorker() { return pwa.serviceWorker(this); }
  @Get('/manifest.webmanifest') manifest() { return pwa.manifest(this, APP); }
  @Get('/icon-192.png') icon192() { return pwa.icon(this, 192, APP); }
  @Get('/icon-512.png') icon512() { return pwa.icon(this, 512, APP); }
  @Get('/icon.svg') iconSvg() { return pwa.iconSvg(this, APP); }
}
