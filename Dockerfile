# One image for both roles: the API (default) or, with the command below, the worker.
# Two stages: the first compiles the TypeScript with the dev dependencies; the second holds only
# the compiled JavaScript (dist/) and the production dependencies.
FROM node:24-bookworm-slim AS build

WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# What the processes and the operator CLIs are built from: no tests, dev stack or benchmark.
COPY tsconfig.json tsconfig.build.json ./
COPY dev/build.mjs ./dev/build.mjs
COPY shared ./shared
COPY api ./api
COPY worker ./worker
COPY cli ./cli
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# package.json makes dist/ ES modules ("type": "module") and names the commands; `npm run
# directory` and the other commands run dev/build.mjs first, which finds no sources here and does nothing.
COPY package.json package-lock.json ./
COPY dev/build.mjs ./dev/build.mjs
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

USER node
EXPOSE 8080
# What `npm run api` runs, without npm: as PID 1, npm passes SIGTERM to the `sh -c` it spawned,
# which dies without passing it on, so the process would be killed before its graceful shutdown.
# The worker is `node dist/worker/main.js` (docker-compose.yml).
CMD ["node", "dist/api/main.js"]
