import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { InventoryType } from '@semaphore/models';
import { MAX_ID, NamedProjectObjectDto } from '../../../common/dto/project-object.dto';

const INVENTORY_TYPES = Object.values(InventoryType);

/**
 * `POST P/inventory` and `PUT P/inventory/{id}` (the full object, as upstream). `holder_id` is server-owned and not
 * read from the body. The `inventory` text is checked by type in the service (a relative path for `file`, a workspace
 * name for `*-workspace`).
 */
export class InventoryDto extends NamedProjectObjectDto {
  @IsIn(INVENTORY_TYPES, { message: `type must be one of ${INVENTORY_TYPES.join(', ')}` })
  type!: InventoryType;

  @IsOptional()
  @IsString()
  @MaxLength(1_000_000)
  inventory?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  ssh_key_id?: number | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  become_key_id?: number | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  repository_id?: number | null;
}
