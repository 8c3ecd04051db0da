# The faultgate image: the project's TypeScript sources, run by tsx on the official Node image.
# docker-compose.yml runs every backend and gateway from this one image; nothing is compiled ahead.
FROM node:20-slim

WORKDIR /opt/faultgate

# Dependencies first, so that editing a source file does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

# Edge's log folder, owned by the unprivileged user that runs the services: the named volume mounted
# over it takes this ownership when it is first created. (Microgateway's /var/tmp is open to all.)
RUN mkdir -p /opt/apigee/var/log/edge-message-processor \
 && chown node:node /opt/apigee/var/log/edge-message-processor
USER node

CMD ["node", "bin/faultgate.js", "--help"]
