// Reads of an API that listens beyond loopback need its token. A page's EventSource cannot send an
// Authorization header, so the dashboard keeps the token in a cookie, which the API takes for
// reads only (never for writes, so another site cannot make the browser write with it).

const cookie = "pigmm_api_token";

// Resolves once reading `probe` is allowed, asking for the token as long as the API refuses it.
export async function ensureReadAccess(app, probe) {
  while ((await fetch(probe)).status === 401) {
    const token = await askForToken(app);
    document.cookie = `${cookie}=${encodeURIComponent(token)}; path=/; SameSite=Strict`;
  }
}

function askForToken(app) {
  app.dataset.view = "token";
  app.innerHTML = `
    <form data-role="token">
      <p>This silo’s API listens beyond loopback: reading it needs its bearer token
      (<code>--api-token-file</code> or <code>PIGMM_API_TOKEN</code>; in Kubernetes, the Secret <code>pigmm-api</code>).</p>
      <label>Token <input type="password" name="token" required autocomplete="off"></label>
      <button type="submit">Read with it</button>
    </form>`;
  const form = app.querySelector('[data-role="token"]');
  return new Promise(resolve => form.addEventListener("submit", event => {
    event.preventDefault();
    resolve(form.elements.token.value.trim());
  }));
}
