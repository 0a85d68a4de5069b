// Starts Swagger UI on /openapi.json. A file of its own, not an inline script, so the page works
// under a Content-Security-Policy without 'unsafe-inline'. validatorUrl: null keeps Swagger UI
// from asking validator.swagger.io about our document: the page makes no request to another host.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
