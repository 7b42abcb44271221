import net from 'node:net';

/**
 * HTTP/1.1 over a plain socket, for what fetch and the SDK cannot do: oversized bodies on a keep-alive connection,
 * header blocks over the limit, pipelined requests, bytes that are not valid HTTP. Every answer is parsed from the
 * bytes received, so a test sees exactly what a client would.
 */

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  responses: RawResponse[];
  /** A socket error the client saw (EPIPE, ECONNRESET...), if any. */
  error: string | undefined;
  /** Whether the server closed the connection (FIN or reset). */
  closed: boolean;
}

/** Parses as many complete responses as `data` holds (bodies by Content-Length or chunked). */
export function parseResponses(data: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let offset = 0;
  while (offset < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', offset);
    if (headEnd === -1) break;
    const [statusLine, ...lines] = data.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let bodyStart = headEnd + 4;
    let body: Buffer;
    if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf('\r\n', bodyStart);
        if (lineEnd === -1) return responses;
        const size = parseInt(data.subarray(bodyStart, lineEnd).toString('latin1'), 16);
        if (data.length < lineEnd + 2 + size + 2) return responses;
        parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        bodyStart = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = Buffer.concat(parts);
      offset = bodyStart;
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (data.length < bodyStart + length) break;
      body = data.subarray(bodyStart, bodyStart + length);
      offset = bodyStart + length;
    }
    responses.push({ status, headers, body: body.toString('utf8') });
  }
  return responses;
}

/**
 * Opens a connection, lets `write` send whatever it likes (it may await the socket draining), and collects what
 * the server answers until it closes the connection or `expectResponses` answers have arrived and `idleMs` passed.
 */
export async function rawExchange(port: number, write: (socket: net.Socket) => Promise<void> | void, options: { expectResponses?: number; idleMs?: number } = {}): Promise<RawExchange> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  let error: string | undefined;
  let closed = false;
  const done = new Promise<void>((resolve) => {
    let idle: NodeJS.Timeout | undefined;
    const check = () => {
      if (options.expectResponses === undefined) return;
      if (parseResponses(Buffer.concat(chunks)).length >= options.expectResponses) {
        clearTimeout(idle);
        idle = setTimeout(() => { socket.destroy(); resolve(); }, options.idleMs ?? 50);
      }
    };
    socket.on('data', (chunk) => { chunks.push(chunk); check(); });
    socket.on('error', (cause: NodeJS.ErrnoException) => { error ??= cause.code ?? cause.message; });
    socket.on('close', () => { closed = true; clearTimeout(idle); resolve(); });
    socket.on('end', () => { closed = true; });
  });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  try {
    await write(socket);
  } catch (cause) {
    error ??= (cause as NodeJS.ErrnoException).code ?? String(cause);
  }
  await done;
  return { responses: parseResponses(Buffer.concat(chunks)), error, closed };
}

/** Writes `data`, waiting for the socket to drain; a write error ends the writing (the caller sees it in `error`). */
export async function writeAll(socket: net.Socket, data: Buffer | string): Promise<void> {
  if (socket.destroyed) throw Object.assign(new Error('socket closed'), { code: 'EPIPE' });
  if (!socket.write(data)) {
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => { socket.off('close', onClose); resolve(); };
      const onClose = () => { socket.off('drain', onDrain); reject(Object.assign(new Error('socket closed while writing'), { code: 'EPIPE' })); };
      socket.once('drain', onDrain);
      socket.once('close', onClose);
    });
  }
}

/** Writes a body of `size` bytes of `byte`, in 64 KiB pieces, either plainly or in chunked encoding. */
export async function writeBody(socket: net.Socket, size: number, chunked: boolean, byte = 'a'): Promise<void> {
  const piece = Buffer.alloc(64 * 1024, byte);
  for (let sent = 0; sent < size; sent += piece.length) {
    const part = piece.subarray(0, Math.min(piece.length, size - sent));
    await writeAll(socket, chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part);
  }
  if (chunked) await writeAll(socket, '0\r\n\r\n');
}
