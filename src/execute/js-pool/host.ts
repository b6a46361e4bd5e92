/**
 * The JS host: a child Node process that owns the piscina pool JS and TS blocks run in, and relays tasks
 * and replies between the main process (over IPC) and the workers. It exists so that a fatal V8 error in
 * a worker (one huge allocation aborts the whole process, nodejs/node#47224) ends this process and fails
 * one block, instead of ending the CLI. Measurement happens in the workers; the host only relays.
 */
import {fileURLToPath} from 'node:url';
import {Piscina} from 'piscina';
import {
  isJsExitNotice,
  taskHandlerName,
  type JsExitNotice,
  type JsHostAnswer,
  type JsHostRequest,
  type JsHostRunRequest,
  type JsReply,
  type JsSerializedError,
  type JsTask
} from './protocol.js';

let pool: Piscina<JsTask, JsReply> | undefined;
// The heap limit the pool's workers were started with (piscina sets resourceLimits per pool, not per task).
let poolMemoryBytes: number | undefined;
// Thread ids of workers that have been handed a task; they never get another one.
let usedWorkers = new Set<number>();
// Output of blocks that called process.exit(), by task (module path), until the task's answer is sent.
const exitNotices = new Map<string, JsExitNotice>();
// Running tasks by request id, to abort them on the main process's request.
const controllers = new Map<number, AbortController>();

/**
 * The pool, started on first use. Piscina 5 has no `isolateWorkers`, so isolation is built from two
 * parts: the load balancer only hands a task to a worker that has never had one, and `retireWorker`
 * terminates each worker once its task is done (piscina then boots a replacement, up to `minThreads`).
 * One thread: a second one would boot or run while the first measures, and on a small machine that
 * shows up in the samples.
 */
async function getPool(memoryBytes: number | undefined): Promise<Piscina<JsTask, JsReply>> {
  if (pool && poolMemoryBytes === memoryBytes) return pool;
  // Workers are single-use anyway, so a pool for another limit costs no more than the next worker.
  if (pool) await closePool();
  poolMemoryBytes = memoryBytes;
  const used = usedWorkers;
  pool = new Piscina<JsTask, JsReply>({
    // V8's old generation, where a big allocation lands; ArrayBuffers live outside it and are not limited.
    ...(memoryBytes === undefined ? {} : {resourceLimits: {maxOldGenerationSizeMb: Math.max(16, Math.floor(memoryBytes / 2 ** 20))}}),
    filename: fileURLToPath(new URL('./worker.js', import.meta.url)),
    name: taskHandlerName,
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    loadBalancer: (_task, workers) => {
      for (const worker of workers) {
        if (worker.currentUsage === 0 && !worker.terminating && !worker.destroyed && !used.has(worker.id)) {
          used.add(worker.id);
          return worker;
        }
      }
      return null;
    }
  });
  // A block's stray async error after its task has replied would otherwise be an unhandled 'error'
  // event and end the host; the worker is being retired anyway.
  pool.on('error', () => {});
  pool.on('message', (message: unknown) => {
    if (isJsExitNotice(message)) exitNotices.set(message.modulePath, message);
  });
  return pool;
}

/** Terminate the worker that ran a task, so its JIT state and globals never reach another task. */
async function retireWorker(current: Piscina<JsTask, JsReply>, threadId: number): Promise<void> {
  const worker = current.threads.find((thread) => thread.threadId === threadId);
  await worker?.terminate();
}

/** Stop the pool, if one was started. */
async function closePool(): Promise<void> {
  const current = pool;
  pool = undefined;
  poolMemoryBytes = undefined;
  usedWorkers = new Set();
  await current?.destroy();
}

/** A thrown value as plain data. */
function serializeError(error: unknown): JsSerializedError {
  if (!(error instanceof Error)) return {isError: false, name: 'Error', message: String(error)};
  const code = (error as {code?: unknown}).code;
  return {
    isError: true,
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : {stack: error.stack}),
    ...(typeof code === 'string' ? {code} : {})
  };
}

function answer(message: JsHostAnswer): void {
  process.send?.(message);
}

/** Run one task in a fresh worker and send back its reply, or the error piscina rejected it with. */
async function runTask({id, task, memoryBytes}: JsHostRunRequest): Promise<void> {
  const controller = new AbortController();
  controllers.set(id, controller);
  try {
    const current = await getPool(memoryBytes);
    let reply: JsReply;
    try {
      reply = await current.run(task, {signal: controller.signal});
    } catch (error) {
      const notice = exitNotices.get(task.modulePath);
      answer({type: 'error', id, error: serializeError(error), ...(notice ? {notice} : {})});
      return;
    }
    await retireWorker(current, reply.threadId);
    answer({type: 'reply', id, reply});
  } catch (error) {
    answer({type: 'error', id, error: serializeError(error)});
  } finally {
    controllers.delete(id);
    exitNotices.delete(task.modulePath);
  }
}

async function shutdown(): Promise<void> {
  for (const controller of controllers.values()) controller.abort();
  await closePool().catch(() => {});
  process.exit(0);
}

process.on('message', (message: JsHostRequest) => {
  if (message.type === 'run') void runTask(message);
  else if (message.type === 'abort') controllers.get(message.id)?.abort();
  else if (message.type === 'close') void shutdown();
});
// The main process is gone (or closed the channel): nothing is left to answer to.
process.on('disconnect', () => void shutdown());
