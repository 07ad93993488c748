import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsGitUrl } from '../../../common/validators';
import { MAX_ID, NamedProjectObjectDto } from '../../../common/dto/project-object.dto';

const SSH_KEY_ID_MESSAGE =
  'ssh_key_id is required: the id of an access key of this project (its "None" key for public repositories)';

/**
 * `POST P/repositories` and `PUT P/repositories/{id}` (the full object, as upstream). `git_branch` is checked by the
 * service: required unless the repository is local, and a valid git ref.
 */
export class RepositoryDto extends NamedProjectObjectDto {
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
