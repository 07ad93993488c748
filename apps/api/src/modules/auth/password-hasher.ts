import bcrypt from 'bcryptjs';

/** bcrypt with cost 11, as upstream, so hashes move between the two servers. */
export const BCRYPT_COST = 11;

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!hash) return false;
  return bcrypt.compare(password, hash);
}
