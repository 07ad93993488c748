import { Controller, Get } from '@nestjs/common';
import { AdminOnly } from '../../common/decorators';
import { ClusterService, type ClusterView } from './cluster.service';

/** `GET /api/cluster`: api replicas, runners, queue depths and the reconciler's last actions (administrators only). */
@Controller('cluster')
@AdminOnly()
export class ClusterController {
  constructor(private readonly cluster: ClusterService) {}

  @Get()
  view(): Promise<ClusterView> {
    return this.cluster.view();
  }
}
