-- Built-in domain templates.
-- Each template's DDL is executed as the domain's owner role with search_path set to the
-- domain's schema only: every object name is unqualified and quoted, exactly as Prisma's
-- default naming produces (model = table name, camelCase columns, "<Model>_pkey",
-- "<Model>_<column>_fkey", "<Model>_<column>_idx", "<Model>_<columns>_key").
-- Foreign keys stay within the template; "userId" is a plain text column (no User table).
-- Status/type columns are text (no enum types) to keep schemas portable.

INSERT INTO tec_sovereignty.template (name, description, models, ddl, builtin) VALUES
('financial', 'Portfolios, investments, transactions, accounts and statements', ARRAY['Portfolio','Investment','Transaction','Account','Statement'], $ddl$
CREATE TABLE "Portfolio" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'BROKERAGE',
    "description" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "totalValue" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "riskProfile" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Portfolio_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Investment" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "portfolioId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "assetClass" TEXT NOT NULL DEFAULT 'EQUITY',
    "quantity" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "costBasis" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "currentPrice" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "purchasedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Investment_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Transaction" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "investmentId" TEXT,
    "type" TEXT NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "description" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Transaction_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Account" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "portfolioId" TEXT,
    "name" TEXT NOT NULL,
    "institution" TEXT,
    "type" TEXT NOT NULL DEFAULT 'CHECKING',
    "accountNumberLast4" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "balance" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Statement" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "openingBalance" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "closingBalance" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "documentUrl" TEXT,
    "issuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Statement_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Portfolio_userId_idx" ON "Portfolio"("userId");

CREATE INDEX "Investment_portfolioId_idx" ON "Investment"("portfolioId");

CREATE INDEX "Transaction_userId_idx" ON "Transaction"("userId");

CREATE INDEX "Transaction_accountId_idx" ON "Transaction"("accountId");

CREATE INDEX "Transaction_investmentId_idx" ON "Transaction"("investmentId");

CREATE INDEX "Account_userId_idx" ON "Account"("userId");

CREATE INDEX "Account_portfolioId_idx" ON "Account"("portfolioId");

CREATE UNIQUE INDEX "Statement_accountId_periodStart_key" ON "Statement"("accountId", "periodStart");

CREATE INDEX "Statement_userId_idx" ON "Statement"("userId");

CREATE INDEX "Statement_accountId_idx" ON "Statement"("accountId");

ALTER TABLE "Investment" ADD CONSTRAINT "Investment_portfolioId_fkey" FOREIGN KEY ("portfolioId") REFERENCES "Portfolio"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Transaction" ADD CONSTRAINT "Transaction_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Transaction" ADD CONSTRAINT "Transaction_investmentId_fkey" FOREIGN KEY ("investmentId") REFERENCES "Investment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Account" ADD CONSTRAINT "Account_portfolioId_fkey" FOREIGN KEY ("portfolioId") REFERENCES "Portfolio"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Statement" ADD CONSTRAINT "Statement_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE "Portfolio" IS 'Investment portfolios owned by a user (type e.g. RETIREMENT, BROKERAGE, EDUCATION, SAVINGS).';

COMMENT ON TABLE "Investment" IS 'Holdings (securities, funds, other assets) inside a portfolio.';

COMMENT ON TABLE "Transaction" IS 'Money movements on an account (DEPOSIT, WITHDRAWAL, BUY, SELL, DIVIDEND, FEE, TRANSFER).';

COMMENT ON TABLE "Account" IS 'Bank, brokerage or cash accounts held by a user, optionally linked to a portfolio.';

COMMENT ON TABLE "Statement" IS 'Periodic account statements with opening and closing balances.';
$ddl$, true),
('insurance', 'Policies, claims, coverages, premiums and beneficiaries', ARRAY['Policy','Claim','Coverage','Premium','Beneficiary'], $ddl$
CREATE TABLE "Policy" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "policyNumber" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "sumInsured" DECIMAL(18,2),
    "startDate" TIMESTAMP(3) NOT NULL,
    "endDate" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Policy_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Claim" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "claimNumber" TEXT NOT NULL,
    "description" TEXT,
    "amountClaimed" DECIMAL(18,2) NOT NULL,
    "amountApproved" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'SUBMITTED',
    "incidentDate" TIMESTAMP(3) NOT NULL,
    "filedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Claim_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Coverage" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "policyId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "limitAmount" DECIMAL(18,2),
    "deductible" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Coverage_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Premium" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "policyId" TEXT NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "frequency" TEXT NOT NULL DEFAULT 'MONTHLY',
    "dueDate" TIMESTAMP(3) NOT NULL,
    "paidAt" TIMESTAMP(3),
    "status" TEXT NOT NULL DEFAULT 'DUE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Premium_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Beneficiary" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "policyId" TEXT NOT NULL,
    "fullName" TEXT NOT NULL,
    "relationship" TEXT,
    "sharePercent" DECIMAL(5,2) NOT NULL DEFAULT 100,
    "email" TEXT,
    "phone" TEXT,
    "isPrimary" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Beneficiary_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Policy_policyNumber_key" ON "Policy"("policyNumber");

CREATE INDEX "Policy_userId_idx" ON "Policy"("userId");

CREATE UNIQUE INDEX "Claim_claimNumber_key" ON "Claim"("claimNumber");

CREATE INDEX "Claim_userId_idx" ON "Claim"("userId");

CREATE INDEX "Claim_policyId_idx" ON "Claim"("policyId");

CREATE INDEX "Coverage_policyId_idx" ON "Coverage"("policyId");

CREATE INDEX "Premium_policyId_idx" ON "Premium"("policyId");

CREATE INDEX "Beneficiary_policyId_idx" ON "Beneficiary"("policyId");

ALTER TABLE "Claim" ADD CONSTRAINT "Claim_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Coverage" ADD CONSTRAINT "Coverage_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Premium" ADD CONSTRAINT "Premium_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Beneficiary" ADD CONSTRAINT "Beneficiary_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE "Policy" IS 'Insurance policies held by a user (type e.g. AUTO, HOME, LIFE, HEALTH, TRAVEL).';

COMMENT ON TABLE "Claim" IS 'Claims filed against a policy, with claimed and approved amounts.';

COMMENT ON TABLE "Coverage" IS 'Individual coverages (limits and deductibles) included in a policy.';

COMMENT ON TABLE "Premium" IS 'Premium instalments due and paid for a policy.';

COMMENT ON TABLE "Beneficiary" IS 'Beneficiaries of a policy and their share of the benefit.';
$ddl$, true),
('commerce', 'Products, orders, inventory, suppliers and shipments', ARRAY['Product','Order','Inventory','Supplier','Shipment'], $ddl$
CREATE TABLE "Product" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "supplierId" TEXT,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT,
    "price" DECIMAL(18,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Order" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "orderNumber" TEXT NOT NULL,
    "customerName" TEXT,
    "customerEmail" TEXT,
    "items" JSONB NOT NULL DEFAULT '[]',
    "totalAmount" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "placedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Inventory" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "productId" TEXT NOT NULL,
    "location" TEXT NOT NULL DEFAULT 'MAIN',
    "quantity" INTEGER NOT NULL DEFAULT 0,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "reorderLevel" INTEGER NOT NULL DEFAULT 0,
    "lastCountedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Inventory_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Supplier" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "contactName" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "country" TEXT,
    "paymentTerms" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Supplier_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Shipment" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "orderId" TEXT NOT NULL,
    "carrier" TEXT,
    "trackingNumber" TEXT,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "address" JSONB,
    "cost" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "shippedAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Shipment_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Product_userId_sku_key" ON "Product"("userId", "sku");

CREATE INDEX "Product_userId_idx" ON "Product"("userId");

CREATE INDEX "Product_supplierId_idx" ON "Product"("supplierId");

CREATE UNIQUE INDEX "Order_userId_orderNumber_key" ON "Order"("userId", "orderNumber");

CREATE INDEX "Order_userId_idx" ON "Order"("userId");

CREATE UNIQUE INDEX "Inventory_productId_location_key" ON "Inventory"("productId", "location");

CREATE INDEX "Inventory_productId_idx" ON "Inventory"("productId");

CREATE INDEX "Supplier_userId_idx" ON "Supplier"("userId");

CREATE INDEX "Shipment_orderId_idx" ON "Shipment"("orderId");

ALTER TABLE "Product" ADD CONSTRAINT "Product_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "Supplier"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Inventory" ADD CONSTRAINT "Inventory_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Shipment" ADD CONSTRAINT "Shipment_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE "Product" IS 'Catalog products sold by a user''s store.';

COMMENT ON TABLE "Order" IS 'Customer orders; line items are kept as JSON ([{productId, sku, quantity, unitPrice}]).';

COMMENT ON TABLE "Inventory" IS 'Stock levels of a product per location.';

COMMENT ON TABLE "Supplier" IS 'Suppliers and vendors the store buys products from.';

COMMENT ON TABLE "Shipment" IS 'Shipments fulfilling an order, with carrier and tracking details.';
$ddl$, true),
('technology', 'Services, metrics, logs, configurations and integrations', ARRAY['Service','Metric','Log','Configuration','Integration'], $ddl$
CREATE TABLE "Service" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "environment" TEXT NOT NULL DEFAULT 'PRODUCTION',
    "url" TEXT,
    "version" TEXT,
    "ownerTeam" TEXT,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Service_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Metric" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "serviceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "unit" TEXT,
    "tags" JSONB,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Metric_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Log" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "serviceId" TEXT NOT NULL,
    "level" TEXT NOT NULL DEFAULT 'INFO',
    "message" TEXT NOT NULL,
    "context" JSONB,
    "traceId" TEXT,
    "loggedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Log_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Configuration" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "serviceId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "environment" TEXT NOT NULL DEFAULT 'PRODUCTION',
    "isSecret" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Configuration_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Integration" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "serviceId" TEXT,
    "name" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'API',
    "config" JSONB,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "lastSyncAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Integration_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Service_userId_name_environment_key" ON "Service"("userId", "name", "environment");

CREATE INDEX "Service_userId_idx" ON "Service"("userId");

CREATE INDEX "Metric_serviceId_idx" ON "Metric"("serviceId");

CREATE INDEX "Log_serviceId_idx" ON "Log"("serviceId");

CREATE UNIQUE INDEX "Configuration_serviceId_environment_key_key" ON "Configuration"("serviceId", "environment", "key");

CREATE INDEX "Configuration_serviceId_idx" ON "Configuration"("serviceId");

CREATE INDEX "Integration_userId_idx" ON "Integration"("userId");

CREATE INDEX "Integration_serviceId_idx" ON "Integration"("serviceId");

ALTER TABLE "Metric" ADD CONSTRAINT "Metric_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Log" ADD CONSTRAINT "Log_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Configuration" ADD CONSTRAINT "Configuration_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Integration" ADD CONSTRAINT "Integration_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

COMMENT ON TABLE "Service" IS 'Software services/applications operated by a user.';

COMMENT ON TABLE "Metric" IS 'Time-series measurements reported by a service.';

COMMENT ON TABLE "Log" IS 'Log entries emitted by a service (level e.g. DEBUG, INFO, WARN, ERROR).';

COMMENT ON TABLE "Configuration" IS 'Versioned configuration keys of a service per environment.';

COMMENT ON TABLE "Integration" IS 'Connections to third-party systems (webhooks, APIs, data syncs).';
$ddl$, true),
('premium', 'Memberships, benefits, tiers, privileges and access', ARRAY['Membership','Benefit','Tier','Privilege','Access'], $ddl$
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "tierId" TEXT NOT NULL,
    "memberNumber" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "autoRenew" BOOLEAN NOT NULL DEFAULT true,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "renewsAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Benefit" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "tierId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT,
    "valueAmount" DECIMAL(18,2),
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Benefit_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Tier" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "name" TEXT NOT NULL,
    "level" INTEGER NOT NULL DEFAULT 1,
    "description" TEXT,
    "monthlyPrice" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "annualPrice" DECIMAL(18,2) NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Tier_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Privilege" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "membershipId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "type" TEXT NOT NULL,
    "usageLimit" INTEGER,
    "usageCount" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "grantedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Privilege_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Access" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "membershipId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "level" TEXT NOT NULL DEFAULT 'READ',
    "status" TEXT NOT NULL DEFAULT 'GRANTED',
    "grantedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "lastAccessedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Access_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Membership_memberNumber_key" ON "Membership"("memberNumber");

CREATE INDEX "Membership_userId_idx" ON "Membership"("userId");

CREATE INDEX "Membership_tierId_idx" ON "Membership"("tierId");

CREATE INDEX "Benefit_tierId_idx" ON "Benefit"("tierId");

CREATE UNIQUE INDEX "Tier_name_key" ON "Tier"("name");

CREATE INDEX "Privilege_membershipId_idx" ON "Privilege"("membershipId");

CREATE INDEX "Access_userId_idx" ON "Access"("userId");

CREATE INDEX "Access_membershipId_idx" ON "Access"("membershipId");

ALTER TABLE "Membership" ADD CONSTRAINT "Membership_tierId_fkey" FOREIGN KEY ("tierId") REFERENCES "Tier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Benefit" ADD CONSTRAINT "Benefit_tierId_fkey" FOREIGN KEY ("tierId") REFERENCES "Tier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Privilege" ADD CONSTRAINT "Privilege_membershipId_fkey" FOREIGN KEY ("membershipId") REFERENCES "Membership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Access" ADD CONSTRAINT "Access_membershipId_fkey" FOREIGN KEY ("membershipId") REFERENCES "Membership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE "Membership" IS 'A user''s membership in a tier of the program.';

COMMENT ON TABLE "Benefit" IS 'Benefits granted to every member of a tier.';

COMMENT ON TABLE "Tier" IS 'Membership tiers (e.g. SILVER, GOLD, PLATINUM) and their pricing.';

COMMENT ON TABLE "Privilege" IS 'Individual privileges granted to a membership, with usage limits.';

COMMENT ON TABLE "Access" IS 'Access grants to resources (lounges, content, events) for a membership.';
$ddl$, true);
