// Starts Swagger UI (vendored, no CDN) on /api/docs from the settings the page carries in
// <script id="swagger-settings"> (json_script): no inline script under the Content-Security-Policy.
// "Try it out" requests send the page's CSRF token, as the API's session sign-in requires.
(function () {
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  const token = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  if (token) {
    config.requestInterceptor = (req) => {
      req.headers["X-CSRFToken"] = token;
      return req;
    };
  }
  window.ui = SwaggerUIBundle(config);
})();
