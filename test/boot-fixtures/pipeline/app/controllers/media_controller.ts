import { Readable } from 'node:stream';
import { ActionController, Controller, Get, Post } from 'stryke';

@Controller('/media')
export class MediaController extends ActionController {
  @Post('/upload', { stream: true })
  async upload() {
    let bytes = 0;
    for await (const chunk of this.bodyStream()) bytes += (chunk as Buffer).length;
    return { bytes, contentType: this.requestContentType ?? null };
  }

  @Get('/download')
  download() {
    const total = Number(this.params.bytes ?? 1024);
    this.reply.type('application/octet-stream');
    return (async function* () {
      const chunk = Buffer.alloc(64 * 1024, 120);
      for (let sent = 0; sent < total; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, total - sent));
    })();
  }

  @Get('/stream')
  stream() {
    this.reply.type('text/plain');
    return Readable.from(['a', 'b', 'c']);
  }

  @Get('/cached/:v')
  cached() {
    const record = { id: 1, updatedAt: new Date(Number(this.params.v)) };
    if (this.freshWhen({ etag: record, lastModified: record.updatedAt })) return;
    return this.json({ fresh: false });
  }

  @Get('/page')
  page() {
    this.expiresIn(60, { public: true });
    return this.json({ hello: 'world' }, { etag: true });
  }
}
