import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Credentials } from '../riders/riders.repository';
import { AdminEntity } from './admin.entity';

@Injectable()
export class AdminRepository {
  constructor(@InjectRepository(AdminEntity) private readonly admins: Repository<AdminEntity>) {}

  /** Creates the admin, or updates its password if the email exists: the env is the truth. */
  async upsert(email: string, passwordHash: string): Promise<string> {
    const rows: { id: string }[] = await this.admins.query(
      `INSERT INTO admins (email, password_hash) VALUES ($1, $2)
       ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash
       RETURNING id`,
      [email.toLowerCase(), passwordHash],
    );
    return rows[0].id;
  }

  findCredentials(email: string): Promise<Credentials | null> {
    return this.admins.findOne({
      where: { email: email.toLowerCase() },
      select: { id: true, passwordHash: true },
    });
  }
}
