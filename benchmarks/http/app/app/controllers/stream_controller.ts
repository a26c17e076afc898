import { ActionController, Controller, Get, Post } from 'stryke';

/** Streaming both ways, for the memory benchmark: the body is never held whole. */
@Controller('/stream')
export class StreamController extends ActionController {
  @Post('/upload', { stream: true })
  async upload() {
    let bytes = 0;
    for await (const chunk of this.bodyStream()) bytes += (chunk as Buffer).length;
    return { bytes };
  }

  @Get('/download')
  download() {
    const total = Number(this.params.bytes);
    this.reply.type('application/octet-stream');
    return (async function* () {
      const chunk = Buffer.alloc(64 * 1024, 120);
      for (let sent = 0; sent < total; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, total - sent));
    })();
  }
}
