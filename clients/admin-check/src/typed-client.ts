// A small typed client for an admin app or a service, on the shared operation files and the
// types GraphQL Code Generator writes into ./generated (npm run codegen). `tsc --noEmit` checks
// it, so a schema change that breaks an operation or a field used here fails the build.
import type {
  ApproveCustomerMutation,
  ApproveCustomerMutationVariables,
  ArchiveCustomerMutation,
  ArchiveCustomerMutationVariables,
  AuditLogQuery,
  AuditLogQueryVariables,
  BlockCustomerMutation,
  BlockCustomerMutationVariables,
  CreateCustomerInput,
  CreateCustomerMutation,
  CreateCustomerMutationVariables,
  CustomerImportQuery,
  CustomerImportQueryVariables,
  ImportCustomersMutation,
  ImportCustomersMutationVariables,
  OrganizationListQuery,
  OrganizationListQueryVariables,
  OrganizationProfileQuery,
  OrganizationProfileQueryVariables,
  OrganizationStatus,
  OrganizationSwitcherQuery,
  OrganizationSwitcherQueryVariables,
  ReactivateCustomerMutation,
  ReactivateCustomerMutationVariables,
  ReferenceDataQuery,
  ReferenceDataQueryVariables,
  RejectCustomerMutation,
  RejectCustomerMutationVariables,
  ResubmitCustomerMutation,
  ResubmitCustomerMutationVariables,
  SuspendCustomerMutation,
  SuspendCustomerMutationVariables,
  UpdateCustomerInput,
  UpdateCustomerMutation,
  UpdateCustomerMutationVariables,
  ValidateCustomerQuery,
  ValidateCustomerQueryVariables,
} from "./generated/operations";
import type { UserError } from "./generated/schema";

/** Operation name → its result and variables; the key is also the .graphql file's name. */
interface Operations {
  OrganizationList: [OrganizationListQuery, OrganizationListQueryVariables];
  OrganizationProfile: [OrganizationProfileQuery, OrganizationProfileQueryVariables];
  CreateCustomer: [CreateCustomerMutation, CreateCustomerMutationVariables];
  ValidateCustomer: [ValidateCustomerQuery, ValidateCustomerQueryVariables];
  ApproveCustomer: [ApproveCustomerMutation, ApproveCustomerMutationVariables];
  RejectCustomer: [RejectCustomerMutation, RejectCustomerMutationVariables];
  ReferenceData: [ReferenceDataQuery, ReferenceDataQueryVariables];
  UpdateCustomer: [UpdateCustomerMutation, UpdateCustomerMutationVariables];
  SuspendCustomer: [SuspendCustomerMutation, SuspendCustomerMutationVariables];
  BlockCustomer: [BlockCustomerMutation, BlockCustomerMutationVariables];
  ReactivateCustomer: [ReactivateCustomerMutation, ReactivateCustomerMutationVariables];
  ResubmitCustomer: [ResubmitCustomerMutation, ResubmitCustomerMutationVariables];
  ArchiveCustomer: [ArchiveCustomerMutation, ArchiveCustomerMutationVariables];
  AuditLog: [AuditLogQuery, AuditLogQueryVariables];
  OrganizationSwitcher: [OrganizationSwitcherQuery, OrganizationSwitcherQueryVariables];
  ImportCustomers: [ImportCustomersMutation, ImportCustomersMutationVariables];
  CustomerImport: [CustomerImportQuery, CustomerImportQueryVariables];
}
type Name = keyof Operations;

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly codes: string[],
  ) {
    super(message);
  }
}

/** Field errors keyed by their path in the form, e.g. "primaryContact.email". */
export function fieldErrors(errors: Pick<UserError, "field" | "message">[]): Map<string, string[]> {
  const byField = new Map<string, string[]>();
  for (const error of errors) {
    const key = error.field?.join(".") ?? "";
    byField.set(key, [...(byField.get(key) ?? []), error.message]);
  }
  return byField;
}

export class PortalClient {
  constructor(
    private readonly url: string,
    private readonly token: string,
    /** The text of clients/operations/<Name>.graphql for each operation. */
    private readonly documents: Record<Name, string>,
    /** The organization to act in (X-Organization-ID); the token's own when undefined. */
    private readonly organization?: string,
  ) {}

  /** The same client acting in another organization (the "select organization" control). */
  actingIn(organization: string): PortalClient {
    return new PortalClient(this.url, this.token, this.documents, organization);
  }

  private headers(): Record<string, string> {
    return {
      Accept: "application/graphql-response+json, application/json",
      Authorization: `Bearer ${this.token}`,
      ...(this.organization ? { "X-Organization-ID": this.organization } : {}),
    };
  }

  async request<N extends Name>(name: N, variables: Operations[N][1]): Promise<Operations[N][0]> {
    const body = JSON.stringify({ query: this.documents[name], operationName: name, variables });
    const headers = { ...this.headers(), "Content-Type": "application/json" };
    return this.answer<N>(await fetch(this.url, { method: "POST", headers, body }));
  }

  /**
   * importCustomers with a file, as the GraphQL multipart request spec sends it: `operations`
   * (the file variable null), `map` (which variable the part fills), then the file; fetch sets
   * the multipart Content-Type. src/customer-import.mjs is the same, run by the test suite.
   */
  async importCustomers(file: File | Blob, options: { dryRun?: boolean; fileName?: string } = {}) {
    const variables: ImportCustomersMutationVariables = {
      input: { file: null as unknown as File, dryRun: options.dryRun ?? false },
    };
    const name = "ImportCustomers";
    const form = new FormData();
    form.append("operations", JSON.stringify({ query: this.documents[name], operationName: name, variables }));
    form.append("map", JSON.stringify({ 0: ["variables.input.file"] }));
    form.append("0", file, options.fileName ?? (file instanceof File ? file.name : "customers.csv"));
    const response = await fetch(this.url, { method: "POST", headers: this.headers(), body: form });
    return (await this.answer<typeof name>(response)).importCustomers;
  }

  /** An import's progress and failed rows (poll until COMPLETED or FAILED). */
  async customerImport(id: string, after?: string) {
    return (await this.request("CustomerImport", { id, after })).customerImport;
  }

  private async answer<N extends Name>(response: Response): Promise<Operations[N][0]> {
    const body = (await response.json()) as {
      data?: Operations[N][0] | null;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    if (body.errors?.length || !body.data) {
      const errors = body.errors ?? [];
      throw new GraphQLRequestError(
        errors.map((e) => e.message).join("; ") || `HTTP ${response.status}`,
        errors.map((e) => e.extensions?.code ?? "UNKNOWN"),
      );
    }
    return body.data;
  }

  /** One page of a status tab, newest first, with the counts for every tab. */
  async listByStatus(status: OrganizationStatus, page = 1, pageSize = 20) {
    const { organizations } = await this.request("OrganizationList", {
      filter: { status: { eq: status } },
      sorting: [{ field: "createdAt", direction: "DESC" }],
      paging: { limit: pageSize, offset: (page - 1) * pageSize },
    });
    const counts = Object.fromEntries(organizations.countsByStatus.map((c) => [c.status, c.count]));
    return { rows: organizations.nodes, total: organizations.totalCount, counts };
  }

  async profile(id: string) {
    const { organization } = await this.request("OrganizationProfile", { id });
    return organization;
  }

  async validate(input: CreateCustomerInput) {
    const { validateCustomer } = await this.request("ValidateCustomer", { input });
    return { valid: validateCustomer.valid, errors: fieldErrors(validateCustomer.errors) };
  }

  async create(input: CreateCustomerInput) {
    const { createCustomer } = await this.request("CreateCustomer", { input });
    if (createCustomer.errors.length) {
      return { ok: false as const, errors: fieldErrors(createCustomer.errors) };
    }
    return { ok: true as const, customer: createCustomer.customer, replayed: createCustomer.replayed };
  }

  async approve(id: string, comment?: string) {
    const { approveCustomer } = await this.request("ApproveCustomer", {
      input: comment === undefined ? { id } : { id, comment },
    });
    return approveCustomer;
  }

  async reject(id: string, reason: string) {
    const { rejectCustomer } = await this.request("RejectCustomer", { input: { id, reason } });
    return rejectCustomer;
  }

  /** Save an edit form: STALE_VERSION when someone saved in between (reload and redo). */
  async update(input: UpdateCustomerInput) {
    const { updateCustomer } = await this.request("UpdateCustomer", { input });
    if (updateCustomer.errors.length) {
      const stale = updateCustomer.errors.some((e) => e.code === "STALE_VERSION");
      return { ok: false as const, stale, errors: fieldErrors(updateCustomer.errors) };
    }
    return { ok: true as const, customer: updateCustomer.customer };
  }

  async suspend(id: string, reason: string) {
    return (await this.request("SuspendCustomer", { input: { id, reason } })).suspendCustomer;
  }

  async block(id: string, reason: string) {
    return (await this.request("BlockCustomer", { input: { id, reason } })).blockCustomer;
  }

  async reactivate(id: string, comment?: string) {
    const input = comment === undefined ? { id } : { id, comment };
    return (await this.request("ReactivateCustomer", { input })).reactivateCustomer;
  }

  async resubmit(id: string, comment?: string) {
    const input = comment === undefined ? { id } : { id, comment };
    return (await this.request("ResubmitCustomer", { input })).resubmitCustomer;
  }

  async archive(id: string, reason: string) {
    return (await this.request("ArchiveCustomer", { input: { id, reason } })).archiveCustomer;
  }

  async auditLog(id: string, first = 50, after?: string) {
    const { organization } = await this.request("AuditLog", { id, first, after });
    return organization?.auditLog ?? null;
  }

  /** What the "select organization" control offers. */
  async switchable(search?: string) {
    const { viewer } = await this.request("OrganizationSwitcher", { search, first: 20 });
    return viewer?.organizations.nodes ?? [];
  }

  async referenceData() {
    return this.request("ReferenceData", {});
  }
}
