import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsGitUrl } from '../../../common/validators';

const MAX_ID = 2_147_483_647;
const SSH_KEY_ID_MESSAGE =
  'ssh_key_id is required: the id of an access key of this project (its "None" key for public repositories)';

/**
 * `POST P/repositories` and `PUT P/repositories/{id}` (the full object, as upstream). `git_branch` is checked by the
 * service: required unless the repository is local, and a valid git ref.
 */
export class RepositoryDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ID)
  id?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ID)
  project_id?: number | null;

  @IsString()
  @IsNotEmpty({ message: 'name is required' })
  @MaxLength(255)
  name!: string;

  @IsGitUrl()
  git_url!: string;

  @IsOptional()
  @IsString()
  git_branch?: string;

  @IsInt({ message: SSH_KEY_ID_MESSAGE })
  @Min(1, { message: SSH_KEY_ID_MESSAGE })
  @Max(MAX_ID, { message: SSH_KEY_ID_MESSAGE })
  ssh_key_id!: number;
}
