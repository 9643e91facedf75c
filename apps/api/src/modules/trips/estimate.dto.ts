import { IsLat, IsLng } from '../../common/http/coordinates';

export class EstimateQueryDto {
  @IsLat()
  pickupLat!: number;

  @IsLng()
  pickupLng!: number;

  @IsLat(51.5155)
  dropoffLat!: number;

  @IsLng(-0.0922)
  dropoffLng!: number;
}
