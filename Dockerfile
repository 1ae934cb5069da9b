# One image for both roles: the API (default) or, with the command below, the worker.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# tsx, which runs the TypeScript sources, is a production dependency, so dev dependencies stay out.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY . .

USER node
EXPOSE 8080
# What `npm run api` runs, without npm: as PID 1, npm passes SIGTERM to the `sh -c` it spawned,
# which dies without passing it on, so the process would be killed before its graceful shutdown.
# The worker is `node --import tsx worker/main.ts` (docker-compose.yml).
CMD ["node", "--import", "tsx", "api/main.ts"]
