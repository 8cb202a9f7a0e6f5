// The one piece of custom code an admin app needs on top of refine's stock GraphQL data
// provider: createCustomer takes the form as `input` (not nestjs-query's `input: {customer}`)
// and answers with `errors` in the payload instead of failing. Field errors become refine's
// HttpError `errors`, keyed by the field's path in the form ("primaryContact.email"), which
// refine's useForm hands to react-hook-form's setError; errors without a field become the
// message shown above the form.

/** Options for `createDataProvider(client, customerFormOptions)`; the rest stays stock. */
export const customerFormOptions = {
  create: {
    buildVariables: (params) => ({ input: params.variables }),
    dataMapper: (response) => {
      const payload = response.data?.createCustomer;
      if (payload?.errors?.length) {
        throw toHttpError(payload.errors);
      }
      return payload?.customer;
    },
  },
};

/** `[{field: ["primaryContact", "email"], code, message}]` → refine's HttpError. */
export function toHttpError(userErrors) {
  const errors = {};
  const general = [];
  for (const error of userErrors) {
    if (!error.field?.length) {
      general.push(error.message);
      continue;
    }
    const key = error.field.join(".");
    (errors[key] ??= []).push(error.message);
  }
  return {
    statusCode: 422,
    message: general.join(" ") || "Please correct the highlighted fields.",
    errors,
  };
}
