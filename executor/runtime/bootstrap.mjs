// iamlocal's Node.js runtime client for AWS Lambda's Runtime API (2018-06-01).
// Written for iamlocal with Node's standard library only. It loads the
// handler named by _HANDLER from LAMBDA_TASK_ROOT (CommonJS .js/.cjs or ES
// modules .mjs, or .js under "type": "module"), then loops: GET next
// invocation, call the handler (async, promise-returning or callback
// style), POST its JSON result or an error document in the format of the
// Lambda Node.js runtime ({"errorType", "errorMessage", "trace"}).
// Handlers wrapped with the global awslambda.streamifyResponse get a
// writable response stream instead and answer in the Runtime API's
// streaming mode (see streamResponse).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const API_PREFIX = '/2018-06-01/runtime';
const THIS_FILE = fileURLToPath(import.meta.url);
const api = process.env.AWS_LAMBDA_RUNTIME_API || '';
const sep = api.lastIndexOf(':');
const apiHost = api.slice(0, sep);
const apiPort = Number(api.slice(sep + 1));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: apiHost, port: apiPort, method, path: API_PREFIX + p, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// Logs: "<ISO time>\t<request id>\t<LEVEL>\t<message>", as the Lambda
// Node.js runtime writes them; the request id is "undefined" during init.
let currentRequestId;
function logLine(level, args) {
  process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(...args)}\n`);
}
// With LoggingConfig LogFormat JSON: one record a call, {"timestamp",
// "level", "requestId", "message"} (and the first Error argument's
// errorType, errorMessage, stackTrace), newlines as \r, and the levels below
// AWS_LAMBDA_LOG_LEVEL dropped, as the Lambda Node.js runtime's LogPatch
// does; console.log is INFO, console.fatal FATAL.
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const jsonLogs = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
const errorFields = (err) => ({ errorType: err?.constructor?.name ?? 'UnknownError', errorMessage: err.message,
  stackTrace: typeof err.stack === 'string' ? err.stack.split('\n') : [] });
const errorReplacer = (_, v) => (v instanceof Error ? Object.assign(errorFields(v), v) : v);
function jsonLine(level, args) {
  const rec = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  let line;
  if (args.length === 1) {
    rec.message = args[0]; // an Error becomes {errorType, errorMessage, stackTrace}
    try {
      line = JSON.stringify(rec, errorReplacer);
    } catch {
      line = JSON.stringify({ ...rec, message: util.format(args[0]) });
    }
  } else {
    rec.message = util.format(...args);
    const err = args.find((a) => a instanceof Error);
    line = JSON.stringify(err ? Object.assign(rec, errorFields(err)) : rec);
  }
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}
const least = jsonLogs ? Math.max(LEVELS.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL || 'TRACE').toUpperCase()), 0) : 0;
for (const level of LEVELS) {
  const write = jsonLogs ? jsonLine : logLine;
  console[level.toLowerCase()] = LEVELS.indexOf(level) >= least ? (...a) => write(level, a) : () => {};
}
console.log = console.info;

// Response streaming, as the Lambda Node.js runtime offers it ("Writing
// response streaming-enabled Lambda functions"): awslambda.streamifyResponse
// marks a handler (event, responseStream, context); HttpResponseStream.from
// gives a function URL its status, headers and cookies as a JSON prelude
// ahead of the body, closed by 8 zero bytes, under the content type
// application/vnd.awslambda.http-integration-response.
const STREAMING = Symbol('iamlocal.streamingHandler');
const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER = new Uint8Array(8);
globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = true;
    return handler;
  },
  HttpResponseStream: class HttpResponseStream {
    static from(stream, prelude) {
      stream.setContentType(PRELUDE_CONTENT_TYPE);
      const text = JSON.stringify(prelude ?? {});
      stream.onBeforeFirstWrite = (write) => {
        write(text);
        write(PRELUDE_DELIMITER);
      };
      return stream;
    }
  },
};

class FaultError extends Error {
  constructor(type, message) {
    super(message);
    this.name = type;
  }
}

function errorDocument(err) {
  if (err instanceof Error) {
    const stack = typeof err.stack === 'string' ? err.stack.split('\n') : [];
    return { errorType: err.name || 'Error', errorMessage: err.message, trace: stack };
  }
  // A thrown non-Error: AWS names its type ("string", "object", ...).
  return { errorType: typeof err, errorMessage: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err), trace: [] };
}

function logError(label, doc) {
  if (jsonLogs) {
    const message = { errorType: doc.errorType, errorMessage: doc.errorMessage, stackTrace: doc.trace };
    process.stdout.write(JSON.stringify({ timestamp: new Date().toISOString(), level: 'ERROR', requestId: currentRequestId, message }).replace(/\n/g, '\r') + '\n');
    return;
  }
  logLine('ERROR', [`${label} \t${JSON.stringify({ errorType: doc.errorType, errorMessage: doc.errorMessage, stack: doc.trace })}`]);
}

function isModuleType(file) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return JSON.parse(fs.readFileSync(pkg, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (dir === path.dirname(dir)) return false;
  }
}

async function loadModule(file) {
  if (file.endsWith('.mjs') || (file.endsWith('.js') && isModuleType(file))) {
    return import(pathToFileURL(file).href);
  }
  const require = createRequire(THIS_FILE);
  try {
    return require(file);
  } catch (err) {
    if (err && (err.code === 'ERR_REQUIRE_ESM' || err.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
      return import(pathToFileURL(file).href);
    }
    throw err;
  }
}

async function loadHandler(taskRoot, spec) {
  const slash = spec.lastIndexOf('/');
  const dir = spec.slice(0, slash + 1);
  const base = spec.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) {
    throw new FaultError('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  }
  const moduleName = dir + base.slice(0, dot);
  const handlerPath = base.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => path.resolve(taskRoot, moduleName + ext)).find((f) => fs.existsSync(f));
  if (!file) {
    throw new FaultError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${THIS_FILE}`);
  }
  let mod;
  try {
    mod = await loadModule(file);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new FaultError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`);
    }
    if (err && (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new FaultError('Runtime.ImportModuleError', `Error: ${err.message}`);
    }
    throw err;
  }
  let fn = mod;
  for (const part of handlerPath.split('.')) {
    fn = fn == null ? undefined : fn[part];
  }
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const part of handlerPath.split('.')) fn = fn == null ? undefined : fn[part];
  }
  if (fn === undefined) {
    throw new FaultError('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw new FaultError('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is not a function`);
  }
  return fn;
}

function parseHeader(value) {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parseHeader(headers['lambda-runtime-cognito-identity']),
    clientContext: parseHeader(headers['lambda-runtime-client-context']),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

// Settles with the handler's result: a returned promise, the callback, or
// context.succeed/fail/done, whichever comes first.
function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    context.succeed = (r) => finish(null, r);
    context.fail = (e) => finish(e ?? new Error('handled'));
    context.done = (e, r) => finish(e, r);
    let ret;
    try {
      ret = handler(event, context, (e, r) => finish(e, r));
    } catch (err) {
      finish(err);
      return;
    }
    if (ret && typeof ret.then === 'function') {
      ret.then((r) => finish(null, r), (e) => finish(e ?? new Error('rejected')));
    } else if (handler.length < 3) {
      finish(null, ret);
    }
  });
}

let inFlight; // request id whose answer is not posted yet
let openStream; // the response stream of the invocation in flight, if it streams

// responseStream opens the streamed answer to an invocation: a chunked POST
// with Lambda-Runtime-Function-Response-Mode: streaming whose trailers carry
// an error met midway. The request is the writable stream the handler gets,
// with setContentType (before the first write) and fail (end with an error).
function responseStream(requestId) {
  const req = http.request({ host: apiHost, port: apiPort, method: 'POST', agent,
    path: `${API_PREFIX}/invocation/${requestId}/response`,
    headers: {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Transfer-Encoding': 'chunked',
      Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
      'Content-Type': 'application/octet-stream',
    } });
  const answered = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  let started = false;
  const rawWrite = req.write.bind(req);
  const rawEnd = req.end.bind(req);
  const begin = () => {
    if (started) return;
    started = true;
    if (typeof req.onBeforeFirstWrite === 'function') req.onBeforeFirstWrite((chunk) => rawWrite(chunk));
  };
  req.setContentType = (type) => {
    if (started) throw new FaultError('Runtime.InvalidStreamingOperation', 'Cannot set content-type, too late.');
    req.setHeader('Content-Type', type);
  };
  req.write = (chunk, encoding, callback) => {
    begin();
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
    return rawWrite(chunk, encoding, callback);
  };
  req.end = (chunk, encoding, callback) => {
    if (typeof chunk === 'function') [chunk, callback] = [undefined, chunk];
    if (typeof encoding === 'function') [encoding, callback] = [undefined, encoding];
    if (chunk !== undefined && chunk !== null) req.write(chunk, encoding);
    begin();
    return rawEnd(callback);
  };
  req.fail = (doc) => {
    begin();
    req.addTrailers({
      'Lambda-Runtime-Function-Error-Type': doc.errorType,
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(doc)).toString('base64'),
    });
    rawEnd();
  };
  return { req, answered };
}

// streamResponse runs a streaming handler: its stream ends when the handler
// settles (if the handler did not end it), with the error in the trailers
// when it throws.
async function streamResponse(handler, requestId, event, context) {
  const { req, answered } = responseStream(requestId);
  openStream = { req, answered };
  try {
    await handler(event, req, context);
    if (!req.writableEnded) req.end();
  } catch (err) {
    const doc = errorDocument(err);
    logError('Invoke Error', doc);
    if (!req.writableEnded) req.fail(doc);
  }
  openStream = undefined;
  const res = await answered;
  if (res.status >= 300) {
    logLine('ERROR', [`runtime: the streamed response was refused (${res.status}): ${res.body.toString('utf8')}`]);
  }
}

async function postError(requestId, doc) {
  await call('POST', `/invocation/${requestId}/error`, JSON.stringify(doc), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': doc.errorType,
  });
}

async function failAndExit(label, err, code) {
  const doc = errorDocument(err);
  logError(label, doc);
  if (openStream && !openStream.req.writableEnded) {
    // The streamed answer holds the connection: the error goes in its trailers.
    const { req, answered } = openStream;
    openStream = undefined;
    inFlight = undefined;
    req.fail(doc);
    try {
      await answered;
    } catch {}
  } else if (inFlight) {
    const id = inFlight;
    inFlight = undefined;
    try {
      await postError(id, doc);
    } catch {}
  }
  process.exit(code);
}
process.on('uncaughtException', (err) => failAndExit('Uncaught Exception', err, 129));
process.on('unhandledRejection', (reason) => {
  const err = reason instanceof Error ? reason : new FaultError('Runtime.UnhandledPromiseRejection', String(reason));
  failAndExit('Unhandled Promise Rejection', err, 128);
});

// Without an execution environment of its own the task root, the emulated /opt
// and the runtime directory are host directories: stack traces name them as
// Lambda's do (/var/task, /opt, /var/runtime), while modules still load, and
// __filename still points, where the files really are.
function showLambdaPaths(taskRoot) {
  const root = path.resolve(taskRoot);
  if (root === '/var/task') return;
  const shown = [[root + path.sep, '/var/task/'], [path.join(path.dirname(root), 'opt') + path.sep, '/opt/'],
    [path.dirname(THIS_FILE) + path.sep, '/var/runtime/']];
  const lambdaPath = (s) => shown.reduce((out, [real, name]) => out.split(real).join(name), s);
  Error.prepareStackTrace = (err, frames) => {
    let head;
    try {
      head = Error.prototype.toString.call(err);
    } catch {
      head = 'Error';
    }
    return [head, ...frames.map((f) => `    at ${lambdaPath(String(f))}`)].join('\n');
  };
}

async function main() {
  const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  showLambdaPaths(taskRoot);
  let handler;
  try {
    handler = await loadHandler(taskRoot, process.env._HANDLER || '');
  } catch (err) {
    const doc = errorDocument(err);
    logError('Uncaught Exception', doc);
    await call('POST', '/init/error', JSON.stringify(doc), {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Function-Error-Type': doc.errorType,
    });
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) {
      process.stderr.write(`runtime: /invocation/next answered ${next.status}\n`);
      process.exit(1);
    }
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    inFlight = requestId;
    const trace = next.headers['lambda-runtime-trace-id'];
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;
    let body;
    try {
      let event;
      try {
        event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
      } catch (err) {
        throw new FaultError('Runtime.UnmarshalError', `Unable to parse input as json: ${err.message}`);
      }
      if (handler[STREAMING]) {
        inFlight = undefined;
        await streamResponse(handler, requestId, event, makeContext(next.headers));
        continue;
      }
      const result = await runHandler(handler, event, makeContext(next.headers));
      try {
        body = JSON.stringify(result === undefined ? null : result);
      } catch (err) {
        throw new FaultError('Runtime.MarshalError', `Unable to stringify response body as json: ${err.message}`);
      }
    } catch (err) {
      const doc = errorDocument(err);
      logError('Invoke Error', doc);
      inFlight = undefined;
      await postError(requestId, doc);
      continue;
    }
    inFlight = undefined;
    const res = await call('POST', `/invocation/${requestId}/response`, body, { 'Content-Type': 'application/json' });
    if (res.status >= 300) {
      logLine('ERROR', [`runtime: the response was refused (${res.status}): ${res.body.toString('utf8')}`]);
    }
  }
}

main();
