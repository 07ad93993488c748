import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { authenticator } from 'otplib';
import { Repository } from 'typeorm';
import { UserEntity } from '@semaphore/persistence';
import { SecretCipher } from '../../crypto';

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

/** TOTP second factor: the secret is stored encrypted, recovery codes as SHA-256 hashes (each usable once). */
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
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const hashes = codes.map(hashRecoveryCode);
    await this.users.update({ id: user.id }, { totpSecret: this.cipher.encrypt(secret), totpRecoveryHashes: hashes });
    return { secret, url: authenticator.keyuri(user.username, ISSUER, secret), recovery_codes: codes };
  }

  /** The otpauth:// URL of an enrolled user (the QR code's content), or null. */
  otpauthUrl(user: UserEntity): string | null {
    return user.totpSecret ? authenticator.keyuri(user.username, ISSUER, this.cipher.decrypt(user.totpSecret)) : null;
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
    const presented = Buffer.from(hashRecoveryCode(code), 'hex');
    for (const [i, hash] of fresh.totpRecoveryHashes.entries()) {
      const stored = Buffer.from(hash, 'hex');
      if (stored.length === presented.length && timingSafeEqual(stored, presented)) {
        const rest = fresh.totpRecoveryHashes.filter((_, j) => j !== i);
        await this.users.update({ id: user.id }, { totpRecoveryHashes: rest });
        return true;
      }
    }
    return false;
  }
}

/** 80 random bits as `xxxx-xxxx-xxxx-xxxx-xxxx`: too many to guess, so a fast hash is enough (no bcrypt needed). */
function newRecoveryCode(): string {
  const hex = randomBytes(10).toString('hex');
  return [0, 4, 8, 12, 16].map((i) => hex.slice(i, i + 4)).join('-');
}

function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.trim().toLowerCase().replace(/-/g, '')).digest('hex');
}
