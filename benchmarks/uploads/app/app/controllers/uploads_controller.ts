import { ActionController, Controller, Post } from 'stryke';

/** Receives a multipart form with one file (streamed to the disk service before the action runs). */
@Controller('/uploads')
export class UploadsController extends ActionController {
  @Post('/')
  create() {
    const file = this.params.require('upload').permit('file').file;
    return { bytes: file.size, type: file.contentType, key: file.key };
  }
}
