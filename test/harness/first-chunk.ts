import type request from 'supertest';

/** A stream (server-sent events) never ends: read its status and first chunk, then hang up. */
export function untilFirstChunk(req: request.Test): request.Test {
  return req.buffer(false).parse((res, done) => {
    let text = '';
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      done(null, text.startsWith('{') ? JSON.parse(text) : {});
    };
    res.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      (res as unknown as { destroy(): void }).destroy();
      finish();
    });
    res.on('end', finish);
  });
}
