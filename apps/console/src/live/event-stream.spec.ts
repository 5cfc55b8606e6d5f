import { parseEventStream } from './event-stream';

describe('parseEventStream: the inbox reads alert events from a text/event-stream', () => {
  it('reads id and data of each complete message and ignores heartbeat comments', () => {
    const { messages, rest } = parseEventStream(
      'retry: 2000\n: following\n\nid: 41\ndata: {"alertId":"a"}\n\n: heartbeat\n\nid: 42\ndata: {"alertId":"b"}\n\n',
    );
    expect(messages).toEqual([
      { id: '41', data: '{"alertId":"a"}' },
      { id: '42', data: '{"alertId":"b"}' },
    ]);
    expect(rest).toBe('');
  });

  it('keeps a message cut in the middle of a chunk for the next one', () => {
    const first = parseEventStream('id: 7\ndata: {"alertId":');
    expect(first.messages).toEqual([]);
    const second = parseEventStream(first.rest + '"c"}\n\n');
    expect(second.messages).toEqual([{ id: '7', data: '{"alertId":"c"}' }]);
  });

  it('accepts CRLF line ends and multi-line data', () => {
    expect(parseEventStream('data: a\r\ndata: b\r\n\r\n').messages).toEqual([{ data: 'a\nb' }]);
  });
});
