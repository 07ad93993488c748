import { createTransport, type Transporter } from 'nodemailer';
import type { ApiConfig } from '../../../config';

type EmailConfig = ApiConfig['notifications']['email'];

export interface MailToSend {
  to: string;
  subject: string;
  html: string;
}

/**
 * SMTP delivery through nodemailer. `tls`: implicit TLS (SMTPS). `secure` (upstream `email_secure`): log in with the
 * username and password, and only after STARTTLS. Otherwise anonymous, upgraded by STARTTLS when the server offers it.
 * Certificates are always verified.
 */
export class MailSender {
  private transport: Transporter | null = null;

  constructor(
    private readonly config: EmailConfig,
    private readonly timeoutMs: number,
  ) {}

  async send(mail: MailToSend): Promise<void> {
    await this.transporter().sendMail({ from: this.config.sender, ...mail });
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
  }

  private transporter(): Transporter {
    const c = this.config;
    this.transport ??= createTransport({
      host: c.host,
      port: c.port,
      secure: c.tls,
      requireTLS: c.secure && !c.tls,
      auth: c.secure ? { user: c.username, pass: c.password } : undefined,
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    return this.transport;
  }
}
