/**
 * The ledger's files: append-only JSONL, one file per local month (`ledger-2026-11.jsonl`). Appends from one process
 * are queued and written in order, many lines per write; every write holds whole lines and goes through O_APPEND, so
 * two processes (two VS Code windows) appending to the same file never interleave inside a line. Reading repairs a
 * torn last line and skips corrupt ones; nothing here throws at a caller: problems go to `onProblem`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../errors';
import { isLedgerRecord, monthOf, type LedgerRecord } from './ledgerRecord';

export interface LedgerProblem {
  /** write: records were lost; read: a file could not be read; corrupt: a line was skipped; torn: a cut-off last
   * line was removed; index: the summary index could not be kept (queries still work, by scanning); record: the
   * stage could not build a record. */
  readonly kind: 'write' | 'read' | 'corrupt' | 'torn' | 'index' | 'record';
  readonly file?: string;
  readonly message: string;
}
export type ProblemSink = (problem: LedgerProblem) => void;

export interface ScanResult {
  readonly records: LedgerRecord[];
  /** Offset just past the last complete line: where a later scan of new lines starts. */
  readonly end: number;
  /** The bytes before `end`, hex, so a later scan can tell the file it resumes is still the one it read. */
  readonly sig: string;
  /** Corrupt lines skipped in this scan. */
  readonly corrupt: number;
}

const FILE = /^ledger-(\d{4}-\d{2})\.jsonl$/;
/** Keeps each write well under what a kernel completes in one go, so a write stays one append of whole lines. */
const CHUNK_BYTES = 1 << 20;
const SIG_BYTES = 32;

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class LedgerStore {
  private queued: { month: string; line: string }[] = [];
  /** Settles once the batch holding the queued lines is written (or reported lost). */
  private nextBatch: Deferred | undefined;
  private inFlight: Deferred | undefined;
  /** Corrupt lines already reported, by file and offset, so a query does not repeat them every time. */
  private readonly reported = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly onProblem: ProblemSink,
    /** A cut-off last line younger than this may be another process's write in progress: it is left alone. */
    private readonly tornGraceMs = 2000,
  ) {}

  fileFor(month: string): string {
    return path.join(this.dir, `ledger-${month}.jsonl`);
  }

  /** Queues a record; resolves once it is on disk or reported lost. Never rejects: a ledger must not fail a turn. */
  append(record: LedgerRecord): Promise<void> {
    let line: string;
    try {
      line = JSON.stringify(record) + '\n';
    } catch (e) {
      this.onProblem({ kind: 'record', message: `A usage record could not be written: ${errorMessage(e)}` });
      return Promise.resolve();
    }
    this.queued.push({ month: monthOf(record.at), line });
    this.nextBatch ??= deferred();
    const done = this.nextBatch.promise;
    if (!this.inFlight) void this.pump();
    return done;
  }

  /** Waits for every record appended so far. */
  flush(): Promise<void> {
    return (this.nextBatch ?? this.inFlight)?.promise ?? Promise.resolve();
  }

  /** One batch at a time, in order; lines queued during a write go out together in the next. */
  private async pump(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued;
      this.queued = [];
      this.inFlight = this.nextBatch!;
      this.nextBatch = undefined;
      const byMonth = new Map<string, string[]>();
      for (const { month, line } of batch) {
        const lines = byMonth.get(month) ?? byMonth.set(month, []).get(month)!;
        lines.push(line);
      }
      try {
        for (const [month, lines] of byMonth) await this.write(month, lines);
      } finally {
        // Whatever happened, no caller (nor flush) is left waiting on a batch that is over.
        this.inFlight.resolve();
      }
    }
    this.inFlight = undefined;
  }

  /** Opened per batch: a file deleted or rotated by hand meanwhile is simply created again. */
  private async write(month: string, lines: string[]): Promise<void> {
    const file = this.fileFor(month);
    let written = 0;
    let handle: fs.FileHandle | undefined;
    try {
      await fs.mkdir(this.dir, { recursive: true });
      handle = await fs.open(file, 'a+', 0o600);
      // After a crash mid-line (ours or another window's), start on a fresh line rather than glue onto the stub.
      const { size } = await handle.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      while (written < lines.length) {
        let chunk = prefix;
        prefix = '';
        let n = 0;
        while (written + n < lines.length && (n === 0 || chunk.length + lines[written + n].length <= CHUNK_BYTES)) chunk += lines[written + n++];
        const buf = Buffer.from(chunk);
        let off = 0;
        // A short write (a full disk) is finished rather than left as a torn line.
        while (off < buf.length) off += (await handle.write(buf, off)).bytesWritten;
        written += n;
      }
    } catch (e) {
      const lost = lines.length - written;
      this.onProblem({
        kind: 'write',
        file,
        message: `The usage ledger could not be written at ${file}: ${errorMessage(e)}. ${lost} usage record${lost === 1 ? ' was' : 's were'} not saved; answers are unaffected, but spending history will miss them.`,
      });
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /** The months that have a file, oldest first. */
  async months(): Promise<string[]> {
    try {
      return (await fs.readdir(this.dir)).flatMap((f) => FILE.exec(f)?.[1] ?? []).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.onProblem({ kind: 'read', file: this.dir, message: `The usage ledger folder could not be read: ${errorMessage(e)}.` });
      return [];
    }
  }

  /**
   * Reads a month's records from offset `from`. With `sig`, the bytes before `from` must still be those a previous
   * scan saw, else `stale` (the file was replaced or repaired) and the caller starts over. A missing file is empty.
   */
  async scan(month: string, from = 0, sig?: string): Promise<ScanResult | 'stale' | undefined> {
    const file = this.fileFor(month);
    let handle: fs.FileHandle | undefined;
    try {
      // Read-write, to cut a torn line away; a file we may only read is still read.
      const h = await fs.open(file, 'r+').catch((e: NodeJS.ErrnoException) => (e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'EPERM' ? fs.open(file, 'r') : Promise.reject(e)));
      handle = h;
      const stat = await h.stat();
      const back = sig === undefined ? 0 : Math.min(from, SIG_BYTES);
      if (from > stat.size) return 'stale';
      const buf = Buffer.allocUnsafe(stat.size - from + back);
      let got = 0;
      const fill = async (upTo: number) => {
        while (got < upTo) {
          const { bytesRead } = await h.read(buf, got, upTo - got, from - back + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      };
      // The signature first: a replaced file is not read to the end only to be thrown away.
      await fill(back);
      if (sig !== undefined && buf.toString('hex', 0, got) !== sig) return 'stale';
      await fill(buf.length);
      const records: LedgerRecord[] = [];
      let corrupt = 0;
      let pos = back;
      for (let nl = buf.indexOf(0x0a, pos); nl >= 0 && nl < got; nl = buf.indexOf(0x0a, pos)) {
        if (nl > pos && !this.parse(buf, pos, nl, records)) {
          corrupt++;
          this.corrupt(file, from - back + pos, buf.toString('utf8', pos, Math.min(nl, pos + 80)));
        }
        pos = nl + 1;
      }
      const end = from - back + pos;
      if (pos < got) await this.torn(h, file, end, got - pos, stat);
      const sigStart = Math.max(0, pos - SIG_BYTES);
      const tailSig = pos >= SIG_BYTES || from - back === 0 ? buf.toString('hex', sigStart, pos) : await this.sigAt(h, end);
      return { records, end, sig: tailSig, corrupt };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      this.onProblem({ kind: 'read', file, message: `The usage ledger file ${file} could not be read: ${errorMessage(e)}. Its month is left out of the figures.` });
      return undefined;
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /** The hex of up to SIG_BYTES before `end`: what a later scan resuming at `end` checks first. */
  private async sigAt(handle: fs.FileHandle, end: number): Promise<string> {
    const n = Math.min(end, SIG_BYTES);
    const b = Buffer.alloc(n);
    await handle.read(b, 0, n, end - n);
    return b.toString('hex');
  }

  private parse(buf: Buffer, start: number, end: number, into: LedgerRecord[]): boolean {
    try {
      const r: unknown = JSON.parse(buf.toString('utf8', start, end));
      if (!isLedgerRecord(r)) return false;
      into.push(r);
      return true;
    } catch {
      return false;
    }
  }

  private corrupt(file: string, offset: number, head: string): void {
    const key = `${file}:${offset}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.onProblem({ kind: 'corrupt', file, message: `Skipped a line of the usage ledger that is not a usage record (${path.basename(file)}, byte ${offset}): ${JSON.stringify(head)}.` });
  }

  /**
   * A last line with no newline: a crash mid-write. It is cut away, unless it is young enough to be another
   * process's write still landing, or the file changed since it was read (someone appended after it).
   */
  private async torn(handle: fs.FileHandle, file: string, end: number, bytes: number, seen: { size: number; mtimeMs: number }): Promise<void> {
    if (this.tornGraceMs > 0 && Date.now() - seen.mtimeMs < this.tornGraceMs) return;
    try {
      const now = await handle.stat();
      if (now.size !== seen.size) return;
      await handle.truncate(end);
      this.onProblem({ kind: 'torn', file, message: `The usage ledger ${path.basename(file)} ended in a cut-off line (${bytes} bytes, from an interrupted write); it was removed.` });
    } catch (e) {
      this.onProblem({ kind: 'torn', file, message: `The usage ledger ${path.basename(file)} ends in a cut-off line (${bytes} bytes) that could not be removed: ${errorMessage(e)}. It is skipped.` });
    }
  }
}
