/** The slice of Express 5 and express-session that the reference app uses (no @types in the project). */
declare module 'express' {
  import type { IncomingMessage, ServerResponse, Server } from 'node:http'

  interface Request extends IncomingMessage {
    session: Record<string, unknown> & { id: string }
  }
  interface Response extends ServerResponse {
    render(view: string, locals: object): void
    redirect(url: string): void
    send(body: string): void
  }
  type Handler = (request: Request, response: Response, next: (error?: unknown) => void) => void
  interface Application {
    (request: IncomingMessage, response: ServerResponse): void
    set(setting: string, value: unknown): void
    use(...handlers: Handler[]): void
    get(path: string, ...handlers: Handler[]): void
    listen(port: number, host: string, callback: () => void): Server
  }
  interface Express {
    (): Application
    json(): Handler
    urlencoded(options: { extended: boolean }): Handler
    static(root: string): Handler
  }
  const express: Express
  export default express
  export type { Request, Response, Application }
}

declare module 'express-session' {
  import type { Handler } from 'express'

  function session(options: {
    secret: string
    resave: boolean
    saveUninitialized: boolean
    cookie: { httpOnly: boolean; secure: boolean }
  }): Handler
  export default session
}
