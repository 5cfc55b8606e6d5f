/** One message of a text/event-stream (the SSE format): its id and data lines. */
export interface StreamMessage {
  id?: string;
  data: string;
}

/**
 * Splits what arrived of a text/event-stream into complete messages and the incomplete rest (a message
 * ends with a blank line). Comments (`: heartbeat`) and `retry:` lines carry no message.
 */
export function parseEventStream(text: string): { messages: StreamMessage[]; rest: string } {
  const normalised = text.replace(/\r\n?/g, '\n');
  const blocks = normalised.split('\n\n');
  const rest = blocks.pop() ?? '';
  const messages: StreamMessage[] = [];
  for (const block of blocks) {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) messages.push({ ...(id !== undefined ? { id } : {}), data: data.join('\n') });
  }
  return { messages, rest };
}
