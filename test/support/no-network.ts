/**
 * The unit tier's rule, enforced (`npm run test:unit` loads this instead of global.ts, so no Redis
 * is started either): a unit test neither opens a connection nor listens on a port. The attempt
 * throws, failing the test that made it.
 */
import { Server, Socket } from "node:net";

function refuse(what: string): never {
  throw new Error(`a unit test may not ${what}: move the test to test/system/`);
}

Socket.prototype.connect = function connect(): never {
  refuse("open a network connection");
} as typeof Socket.prototype.connect;

Server.prototype.listen = function listen(): never {
  refuse("listen on a port");
} as typeof Server.prototype.listen;
