import { Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { dashboardStaticOptions } from './dashboard-assets';

/** The operations dashboard's static page at /dashboard (apps/dashboard, bundled at boot). */
@Module({
  imports: [ServeStaticModule.forRootAsync({ useFactory: dashboardStaticOptions })],
})
export class DashboardModule {}
