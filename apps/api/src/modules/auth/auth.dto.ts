import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CAB_TYPES, CabType, Role } from '@app/contracts';

const ROLES = Object.values(Role);

export class SignUpRiderDto {
  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({ example: '+442071234567' })
  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{6,20}$/, { message: 'phone must be a phone number' })
  phone?: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @Length(8, 128)
  password!: string;
}

export class VehicleDto {
  @ApiProperty({ example: 'KX21 ABC' })
  @IsString()
  @Matches(/^[A-Za-z0-9 -]{2,12}$/, { message: 'plate must be 2-12 letters, digits, spaces or -' })
  plate!: string;

  @ApiPropertyOptional({ example: 'Toyota Prius' })
  @IsOptional()
  @IsString()
  @Length(1, 60)
  model?: string;

  @ApiProperty({ enum: CAB_TYPES })
  @IsIn(CAB_TYPES)
  cabType!: CabType;
}

export class SignUpDriverDto {
  @ApiProperty({ example: 'Grace Hopper' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ example: 'grace@example.com' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @Length(8, 128)
  password!: string;

  @ApiProperty({ type: VehicleDto })
  @IsObject()
  @ValidateNested()
  @Type(() => VehicleDto)
  vehicle!: VehicleDto;
}

export class LoginDto {
  @ApiProperty()
  @IsEmail()
  email!: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}
