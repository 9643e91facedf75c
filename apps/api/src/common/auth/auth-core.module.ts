import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { createSecretKey } from 'node:crypto';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AuthGuard } from './auth.guard';
import { PasswordHasher } from './password-hasher';
import { TokenService } from './token.service';

/** Tokens, password hashing and the global HTTP guard, available to every module. */
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // A key object, not the string: given a string, jsonwebtoken first tries to parse it
        // as a PEM public key on every verify and sign, and that failing OpenSSL call was 30 %
        // of the server's CPU while 20k drivers connected (bench:ingest profile).
        secret: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')),
        signOptions: { expiresIn: config.auth.jwtTtlSeconds, algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [TokenService, PasswordHasher, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokenService, PasswordHasher],
})
export class AuthCoreModule {}
