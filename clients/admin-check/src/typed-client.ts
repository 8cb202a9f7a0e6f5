// A small typed client for an admin app or a service, on the shared operation files and the
// types GraphQL Code Generator writes into ./generated (npm run codegen). `tsc --noEmit` checks
// it, so a schema change that breaks an operation or a field used here fails the build.
import type {
  ApproveCustomerMutation,
  ApproveCustomerMutationVariables,
  CreateCustomerInput,
  CreateCustomerMutation,
  CreateCustomerMutationVariables,
  OrganizationListQuery,
  OrganizationListQueryVariables,
  OrganizationProfileQuery,
  OrganizationProfileQueryVariables,
  OrganizationStatus,
  ReferenceDataQuery,
  ReferenceDataQueryVariables,
  RejectCustomerMutation,
  RejectCustomerMutationVariables,
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
  ) {}

  async request<N extends Name>(name: N, variables: Operations[N][1]): Promise<Operations[N][0]> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
        Authorization: `Bearer ${this.token}`,
      },
      body: JSON.stringify({ query: this.documents[name], operationName: name, variables }),
    });
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

  async referenceData() {
    return this.request("ReferenceData", {});
  }
}
