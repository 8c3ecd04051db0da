# The faultgate image: the package compiled to JavaScript (dist/) on the official Node image, with
# its runtime dependencies only. The image is the faultgate command: `docker run IMAGE up`,
# `docker run IMAGE run all`, `docker run IMAGE backend healthy`; docker-compose.yml runs every
# backend and gateway from it.

# Build: every dependency (TypeScript among them), then the sources compiled into dist/.
FROM node:20-slim AS build
WORKDIR /opt/faultgate
COPY package.json package-lock.json ./
# --ignore-scripts: "prepare" builds dist/, and the sources are not copied yet; it runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# Run: the runtime dependencies, the compiled package and the command; no sources, no compiler.
FROM node:20-slim
WORKDIR /opt/faultgate
# Dependencies first, so that editing a source file does not reinstall them. No "prepare" here:
# dist/ comes from the build stage.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /opt/faultgate/dist ./dist
COPY bin/faultgate.js ./bin/faultgate.js
# The example chains and product configs, for `docker run IMAGE keepalive check examples/…`.
COPY examples ./examples

# A real nginx: Edge's Router in the router scenarios, and the keep-alive probe's nginx hops
# (Debian's nginx-light, as .ci/run installs it; each run starts its own, never the service).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light \
 && rm -rf /var/lib/apt/lists/*

# Edge's log folder, owned by the unprivileged user that runs the services: the named volume mounted
# over it takes this ownership when it is first created. (Microgateway's /var/tmp is open to all.)
RUN mkdir -p /opt/apigee/var/log/edge-message-processor \
 && chown node:node /opt/apigee/var/log/edge-message-processor
USER node

# The command and its arguments: `docker run IMAGE up` runs `faultgate up`. Node runs as PID 1
# here; faultgate's own SIGINT/SIGTERM handlers close everything (docker stop, Ctrl-C with -it).
ENTRYPOINT ["node", "/opt/faultgate/bin/faultgate.js"]
CMD ["--help"]
