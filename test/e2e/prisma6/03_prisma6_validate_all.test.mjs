// prisma6/03_prisma6_validate_all.test.mjs -- ../03_prisma_validate_all.test.mjs in the Prisma 6 job
// (E2E_PRISMA_VERSION=6: files from tec_prisma_schema(domain, prisma_version => 6),
// the CLI and client of test/e2e/prisma6/node_modules).

import '../03_prisma_validate_all.test.mjs';
