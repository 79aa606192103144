// prisma6/02_prisma6_client.test.mjs -- ../02_prisma_client.test.mjs in the Prisma 6 job
// (E2E_PRISMA_VERSION=6: files from tec_prisma_schema(domain, prisma_version => 6),
// the CLI and client of test/e2e/prisma6/node_modules).

import '../02_prisma_client.test.mjs';
