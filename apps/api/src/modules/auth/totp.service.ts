import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { authenticator } from 'otplib';
import { Repository } from 'typeorm';
import { UserEntity } from '@semaphore/persistence';
import { SecretCipher } from '../../crypto';
import { hashPassword, verifyPassword } from './password-hasher';

export const RECOVERY_CODE_COUNT = 10;
const ISSUER = 'Semaphore';

export interface TotpEnrollment {
  secret: string;
  /** otpauth:// URL: the QR code data for authenticator apps. */
  url: string;
  /** One-time recovery codes, shown only now. */
  recovery_codes: string[];
}

// One step (30 s) of clock drift either way.
authenticator.options = { window: 1 };

/** TOTP second factor: the secret is stored encrypted, recovery codes as bcrypt hashes (each usable once). */
@Injectable()
export class TotpService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly cipher: SecretCipher,
  ) {}

  isEnabled(user: UserEntity): boolean {
    return Boolean(user.totpSecret);
  }

  async enroll(user: UserEntity): Promise<TotpEnrollment> {
    const secret = authenticator.generateSecret(20);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => randomBytes(5).toString('hex'));
    const hashes = await Promise.all(codes.map((c) => hashPassword(c)));
    await this.users.update({ id: user.id }, { totpSecret: this.cipher.encrypt(secret), totpRecoveryHashes: hashes });
    return { secret, url: authenticator.keyuri(user.username, ISSUER, secret), recovery_codes: codes };
  }

  async disable(userId: number): Promise<void> {
    await this.users.update({ id: userId }, { totpSecret: null, totpRecoveryHashes: [] });
  }

  verifyPasscode(user: UserEntity, passcode: string): boolean {
    if (!user.totpSecret || !/^\d{6}$/.test(passcode)) return false;
    return authenticator.check(passcode, this.cipher.decrypt(user.totpSecret));
  }

  /** Consumes a recovery code; true when it was valid (it cannot be used again). */
  async useRecoveryCode(user: UserEntity, code: string): Promise<boolean> {
    const fresh = await this.users.findOneByOrFail({ id: user.id });
    const normalized = code.trim().toLowerCase();
    for (const [i, hash] of fresh.totpRecoveryHashes.entries()) {
      if (await verifyPassword(normalized, hash)) {
        const rest = fresh.totpRecoveryHashes.filter((_, j) => j !== i);
        await this.users.update({ id: user.id }, { totpRecoveryHashes: rest });
        return true;
      }
    }
    return false;
  }
}
