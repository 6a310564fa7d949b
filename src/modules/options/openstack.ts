import { z } from 'zod';
import { noEffect, secretString } from '../../ansible/schema.js';

/**
 * The `cloud` (upstream also `dst_cloud`) option shared by every OpenStack module: upstream's credentials dict,
 * or the name of a cloud in clouds.yaml; when omitted, OS_CLOUD or the OS_* variables are used.
 */
const authSchema = z
  .looseObject({
    auth_url: z.string().optional().meta({ description: 'Keystone URL, e.g. https://keystone.example.com:5000/v3.' }),
    username: z.string().optional().meta({ description: 'User name (password authentication).' }),
    user_id: z.string().optional().meta({ description: 'User ID, instead of username.' }),
    password: secretString('Password (password authentication).').optional(),
    token: secretString('An existing Keystone token (auth_type token).').optional(),
    application_credential_id: z.string().optional().meta({ description: 'Application credential ID (auth_type v3applicationcredential).' }),
    application_credential_name: z.string().optional().meta({ description: 'Application credential name, with username/user_id.' }),
    application_credential_secret: secretString('Application credential secret.').optional(),
    project_id: z.string().optional().meta({ description: 'Project (tenant) ID to scope the token to.' }),
    project_name: z.string().optional().meta({ description: 'Project (tenant) name to scope the token to.' }),
    user_domain_name: z.string().optional().meta({ description: 'Domain of the user (default Default).' }),
    user_domain_id: z.string().optional().meta({ description: 'Domain ID of the user.' }),
    project_domain_name: z.string().optional().meta({ description: 'Domain of the project (default: the user domain).' }),
    project_domain_id: z.string().optional().meta({ description: 'Domain ID of the project.' }),
  })
  .meta({ description: 'Keystone credentials and scope.' });

export const cloudDictSchema = z
  .looseObject({
    auth: authSchema.optional(),
    auth_type: z.string().optional().meta({ description: 'password (default), token or v3applicationcredential.' }),
    region_name: z.string().optional().meta({ description: 'Region; defaults to OS_REGION_NAME, else the first endpoint of each service.' }),
    interface: z.string().optional().meta({ description: 'Endpoint interface: public (default), internal or admin.' }),
    identity_api_version: z.union([z.number(), z.string()]).optional().meta({ description: 'Only 3 is supported.' }),
    openstack_insecure: z.boolean().optional().meta({ description: 'Skip TLS certificate verification (upstream name).' }),
    insecure: z.boolean().optional().meta({ description: 'Skip TLS certificate verification.' }),
    verify: z.boolean().optional().meta({ description: 'Verify TLS certificates (default true).' }),
    cacert: z.string().optional().meta({ description: 'CA bundle file used to verify the OpenStack endpoints.' }),
  })
  .meta({ description: 'Cloud definition in the clouds.yaml entry format; `<service>_endpoint_override` keys are honoured.' });

export function cloudOption(description = 'The destination cloud.') {
  return z
    .union([z.string().min(1), cloudDictSchema])
    .optional()
    .meta({
      description: `${description} Either a dict like a clouds.yaml entry (upstream's form: auth.auth_url, auth.username, auth.password, auth.project_name, auth.user_domain_name, region_name, interface, openstack_insecure, cacert, <service>_endpoint_override, or application credentials / a token with auth_type), or the name of a cloud in clouds.yaml (searched in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with secure.yaml merged). When omitted, OS_CLOUD or the OS_* environment variables are used.`,
    });
}

/**
 * The options of upstream's OpenStack documentation fragment (taken over from openstack.cloud), which upstream's
 * modules never read. Here the connection comes from `cloud` alone, so each is accepted without effect; a module that
 * does wait overrides `wait` and `timeout` with its own.
 */
export const openstackFragmentOptions = {
  auth: noEffect('give the credentials inside cloud (cloud.auth).', authSchema),
  auth_type: noEffect('give it inside cloud (cloud.auth_type).', z.string()),
  region_name: noEffect('give it inside cloud (cloud.region_name), or set OS_REGION_NAME.', z.string()),
  interface: noEffect('give it inside cloud (cloud.interface).', z.string()),
  endpoint_type: noEffect('give the interface inside cloud (cloud.interface).', z.string()),
  validate_certs: noEffect('TLS is verified unless cloud has verify false or openstack_insecure true.', z.boolean()),
  verify: noEffect('TLS is verified unless cloud has verify false or openstack_insecure true.', z.boolean()),
  ca_cert: noEffect('give the CA bundle inside cloud (cloud.cacert).', z.string()),
  cacert: noEffect('give the CA bundle inside cloud (cloud.cacert).', z.string()),
  client_cert: noEffect('TLS client certificates are not supported.', z.string()),
  cert: noEffect('TLS client certificates are not supported.', z.string()),
  client_key: noEffect('TLS client certificates are not supported.', z.string()),
  key: noEffect('TLS client certificates are not supported.', z.string()),
  api_timeout: noEffect('every OpenStack call has its own timeout and retries.', z.number().int()),
  sdk_log_path: noEffect('there is no openstacksdk; the module logs to stderr, with debug messages at -vvv.', z.string()),
  sdk_log_level: noEffect('there is no openstacksdk; the module logs to stderr, with debug messages at -vvv.', z.string()),
  wait: noEffect('this module has nothing to wait for.', z.boolean()),
  timeout: noEffect('this module has nothing to wait for.', z.number().int()),
};

/** A cloud argument upstream documents where it does nothing here; its secrets are still masked. */
export const cloudWithoutEffect = (why: string) => noEffect(why, z.union([z.string(), cloudDictSchema]));

export const waitTimeoutOption = (what: string, seconds: number) =>
  z.number().int().positive().default(seconds).meta({ description: `Seconds to wait for ${what}.` });

export const deleteOptions = (kind: string, waitDefault: boolean) =>
  z.strictObject({
    ...openstackFragmentOptions,
    cloud: cloudOption(),
    name: z.string().min(1).meta({ description: `${kind} name or ID.` }),
    wait: z.boolean().default(waitDefault).meta({ description: `Wait until the ${kind.toLowerCase()} is gone.` }),
    timeout: waitTimeoutOption(`the ${kind.toLowerCase()} to be deletable and gone`, 300),
  });

export const deleteReturns = {
  id: { description: 'ID of the deleted object (null when nothing was found).', returned: 'always', type: 'str' as const },
};
