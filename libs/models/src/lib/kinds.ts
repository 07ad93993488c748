/** Built-in application ids (template `app`). Custom apps configured by an admin may use other ids. */
export enum AppId {
  Ansible = 'ansible',
  Terraform = 'terraform',
  Tofu = 'tofu',
  Bash = 'bash',
  PowerShell = 'powershell',
  Python = 'python',
  Pulumi = 'pulumi',
  Ssh = 'ssh',
  Sftp = 'sftp',
}

export const BUILT_IN_APP_PRIORITIES: Readonly<Partial<Record<AppId, number>>> = {
  [AppId.Ansible]: 1000,
  [AppId.Terraform]: 900,
  [AppId.Tofu]: 800,
  [AppId.Bash]: 700,
  [AppId.PowerShell]: 600,
  [AppId.Python]: 500,
};

/** Access key types; `string` is internal (kept for wire compatibility of environment secrets). */
export enum AccessKeyType {
  None = 'none',
  Ssh = 'ssh',
  LoginPassword = 'login_password',
  String = 'string',
}

export enum InventoryType {
  Static = 'static',
  StaticYaml = 'static-yaml',
  File = 'file',
  TerraformWorkspace = 'terraform-workspace',
  TofuWorkspace = 'tofu-workspace',
}

/** Template type: '' is a plain task template. */
export enum TemplateType {
  Default = '',
  Build = 'build',
  Deploy = 'deploy',
}

export enum EnvironmentSecretType {
  Var = 'var',
  Env = 'env',
}

export enum IntegrationAuthMethod {
  None = '',
  GitHub = 'github',
  Token = 'token',
  Hmac = 'hmac',
}

export enum IntegrationMatchType {
  Body = 'body',
  Header = 'header',
}

export enum IntegrationMatchMethod {
  Equals = 'equals',
  Unequals = 'unequals',
  Contains = 'contains',
}

export enum IntegrationBodyDataType {
  Json = 'json',
  String = 'string',
}
