/** An error answer of the API, shown to the operator as it came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'ridehail.admin.token';

/**
 * The admin REST API on the page's own origin. The token lives in session storage (gone with
 * the tab), is sent as a Bearer header, and is never put in a URL.
 */
export class Api {
  token: string | null = sessionStorage.getItem(TOKEN_KEY);
  onUnauthorized: () => void = () => undefined;

  async login(email: string, password: string): Promise<void> {
    const body = await this.request<{ accessToken: string }>('POST', '/auth/login', {
      email,
      password,
      role: 'admin',
    });
    this.token = body.accessToken;
    sessionStorage.setItem(TOKEN_KEY, body.accessToken);
  }

  logout(): void {
    this.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
  }

  get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return this.request<T>('GET', qs ? `${path}?${qs}` : path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `the server did not answer (${(error as Error).message})`);
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      const e = (json ?? {}) as { error?: string; message?: string | string[] };
      const message = Array.isArray(e.message) ? e.message.join('; ') : e.message;
      const error = new ApiError(
        response.status,
        e.error ?? `HTTP_${response.status}`,
        message ?? (text.slice(0, 200) || response.statusText),
      );
      if (response.status === 401 && path !== '/auth/login') this.onUnauthorized();
      throw error;
    }
    return json as T;
  }
}
