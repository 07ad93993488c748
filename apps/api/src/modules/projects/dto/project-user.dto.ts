import { IsIn, IsInt, Max, Min } from 'class-validator';
import { ProjectRole } from '@semaphore/models';

const ROLES = Object.values(ProjectRole);
const ROLE_MESSAGE = `role must be one of ${ROLES.join(', ')}`;

/** `POST P/users`. */
export class AddProjectUserDto {
  @IsInt({ message: 'user_id must be an integer' })
  @Min(1, { message: 'user_id must be a positive integer' })
  @Max(2_147_483_647, { message: 'user_id must be a positive 32-bit integer' })
  user_id!: number;

  @IsIn(ROLES, { message: ROLE_MESSAGE })
  role!: ProjectRole;
}

/** `PUT P/users/{user_id}`. */
export class UpdateProjectUserDto {
  @IsIn(ROLES, { message: ROLE_MESSAGE })
  role!: ProjectRole;
}
