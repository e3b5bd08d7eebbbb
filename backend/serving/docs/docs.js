// Starts Swagger UI on this server's /openapi.json. It is a file, not an inline script, so the
// page's Content-Security-Policy allows scripts from this origin only.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null, // no validity badge from validator.swagger.io: the page loads nothing from elsewhere
    queryConfigEnabled: false, // ?url=... cannot point the page at another description
    presets: [SwaggerUIBundle.presets.apis],
  });
});
