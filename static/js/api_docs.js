// The API documentation page: Swagger UI (vendored by drf-spectacular-sidecar) reading the
// schema whose address the page gives. No inline script: the CSP forbids it.
document.addEventListener("DOMContentLoaded", () => {
  const target = document.getElementById("swagger-ui");
  if (!target || typeof SwaggerUIBundle === "undefined") return;
  SwaggerUIBundle({
    url: target.dataset.schemaUrl,
    domNode: target,
    deepLinking: false,
    tryItOutEnabled: false,
    supportedSubmitMethods: [],
  });
});
