"""Seeds the lab's OpenStack over REST, idempotently, and writes $OSM_LAB_DIR/openstack.json.

Usage: seed.py identity   projects, users, roles and the service catalog (Keystone only)
       seed.py resources  flavors, networks, image, security groups, keypair, volume types, quotas,
                          the foreign tenant's server and the conversion-host server; then the facts file;
                          then the assessment fixtures (below)
       seed.py assessment the assessment fixtures alone (safe on a running lab): the small project
                          osm-small (its own non-admin user, low quotas) and a port of project ffp on
                          frontier-net holding the MAC of the simulator VM osm-snapshot; facts in
                          $OSM_LAB_DIR/openstack-assessment.json
Settings come from the environment (set by lab/openstack/up).
"""
import json
import os
import subprocess
import sys
import time

import requests

KEYSTONE = os.environ['LAB_KEYSTONE_URL']
REGION = os.environ['LAB_REGION']
LAB_DIR = os.environ['OSM_LAB_DIR']
STATE_DIR = os.path.join(LAB_DIR, 'openstack', 'state')
ADMIN_PASSWORD = os.environ['LAB_ADMIN_PASSWORD']
SERVICE_PASSWORD = os.environ['LAB_SERVICE_PASSWORD']
OSM_PASSWORD = 'osm-lab-osm'
FFP_PASSWORD = 'osm-lab-ffp'

SERVICE_USERS = ['glance', 'placement', 'cinder', 'neutron', 'nova', 'heat']
CATALOG = [
    ('identity', 'keystone', KEYSTONE),
    ('image', 'glance', 'http://127.0.0.1:9292'),
    ('placement', 'placement', 'http://127.0.0.1:8778'),
    ('volumev3', 'cinderv3', 'http://127.0.0.1:8776/v3/%(project_id)s'),
    ('network', 'neutron', 'http://127.0.0.1:9696'),
    ('compute', 'nova', 'http://127.0.0.1:8774/v2.1'),
    ('orchestration', 'heat', 'http://127.0.0.1:8004/v1/%(project_id)s'),
]
FLAVORS = [
    ('m1.tiny', 1, 256, 0), ('m1.small-bfv', 1, 2048, 0), ('m2.2', 2, 2048, 0),
    ('m1.small', 2, 2048, 20), ('m2.medium-bfv', 2, 4096, 0), ('m2.4', 2, 4096, 0),
    ('m1.large', 2, 8192, 0), ('m2.large-bfv', 2, 8192, 0), ('m8.20', 4, 8192, 0),
]
VOLUME_TYPES = ['ceph-ssd', 'ceph-hdd']
IMAGE_NAME = 'ubuntu-22.04-jammy'
CONVERSION_HOST = 'osm-conversion-host'
FOREIGN_SERVER = 'ffp-vdi-01'


def log(msg):
    print(f'[openstack seed] {msg}', file=sys.stderr, flush=True)


class ApiError(Exception):
    pass


class Session:
    """A project-scoped token and the catalog that came with it."""

    def __init__(self, username, password, project):
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': username, 'domain': {'name': 'Default'}, 'password': password}}},
            'scope': {'project': {'name': project, 'domain': {'name': 'Default'}}}}}
        r = requests.post(f'{KEYSTONE}/auth/tokens', json=body, timeout=30)
        if r.status_code != 201:
            raise ApiError(f'token for {username}@{project}: HTTP {r.status_code}')
        self.token = r.headers['X-Subject-Token']
        token = r.json()['token']
        self.project_id = token['project']['id']
        self.user_id = token['user']['id']
        self.endpoints = {}
        for svc in token.get('catalog', []):
            for ep in svc['endpoints']:
                if ep['interface'] == 'public' and ep['region_id'] == REGION:
                    self.endpoints[svc['type']] = ep['url'].rstrip('/')

    def call(self, method, service, path, ok=(200, 201, 202, 204), **kw):
        base = KEYSTONE if service == 'identity' else self.endpoints[service]
        headers = {'X-Auth-Token': self.token, **kw.pop('headers', {})}
        r = requests.request(method, base + path, headers=headers, timeout=60, **kw)
        if r.status_code not in ok:
            raise ApiError(f'{method} {service}{path}: HTTP {r.status_code}: {r.text[:400]}')
        if r.status_code == 204 or not r.content:
            return None
        return r.json() if 'json' in r.headers.get('Content-Type', '') else r.content

    def exists(self, service, path):
        base = KEYSTONE if service == 'identity' else self.endpoints[service]
        r = requests.get(base + path, headers={'X-Auth-Token': self.token}, timeout=60)
        if r.status_code not in (200, 404):
            raise ApiError(f'GET {service}{path}: HTTP {r.status_code}: {r.text[:400]}')
        return r.status_code == 200


def wait_for(what, check, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise ApiError(f'timed out after {timeout}s waiting for {what}')


# ---------------------------------------------------------------- identity

class Identity:
    """Keystone objects listed once, created when missing: few round trips on a warm up."""

    def __init__(self, s):
        self.s = s
        self.cache = {}
        self.assignments = {(a['scope']['project']['id'], a['user']['id'], a['role']['id'])
                            for a in s.call('GET', 'identity', '/role_assignments')['role_assignments']
                            if 'user' in a and 'project' in a.get('scope', {})}

    def ensure(self, key, body):
        if key not in self.cache:
            self.cache[key] = {o['name']: o for o in self.s.call('GET', 'identity', f'/{key}')[key]}
        found = self.cache[key].get(body['name'])
        if found:
            return found
        log(f'creating {key[:-1]} {body["name"]}')
        created = self.s.call('POST', 'identity', f'/{key}', json={key[:-1]: body})[key[:-1]]
        self.cache[key][body['name']] = created
        return created

    def grant(self, project, user, role):
        if (project['id'], user['id'], role['id']) not in self.assignments:
            self.s.call('PUT', 'identity',
                        f'/projects/{project["id"]}/users/{user["id"]}/roles/{role["id"]}')


def seed_identity():
    s = Session('admin', ADMIN_PASSWORD, 'admin')
    ids = Identity(s)
    roles = {name: ids.ensure('roles', {'name': name}) for name in ('admin', 'member', 'reader', 'service')}
    projects = {name: ids.ensure('projects', {'name': name, 'domain_id': 'default',
                                              'description': f'osm lab: {name}'})
                for name in ('service', 'osm', 'ffp')}
    for name in SERVICE_USERS:
        user = ids.ensure('users', {'name': name, 'domain_id': 'default', 'password': SERVICE_PASSWORD})
        ids.grant(projects['service'], user, roles['admin'])
        ids.grant(projects['service'], user, roles['service'])
    osm = ids.ensure('users', {'name': 'osm', 'domain_id': 'default', 'password': OSM_PASSWORD,
                               'default_project_id': projects['osm']['id']})
    ids.grant(projects['osm'], osm, roles['member'])
    ids.grant(projects['osm'], osm, roles['admin'])
    ffp = ids.ensure('users', {'name': 'ffp', 'domain_id': 'default', 'password': FFP_PASSWORD,
                               'default_project_id': projects['ffp']['id']})
    ids.grant(projects['ffp'], ffp, roles['member'])

    services = {svc['type']: svc for svc in s.call('GET', 'identity', '/services')['services']}
    endpoints = {(e['service_id'], e['interface']) for e in s.call('GET', 'identity', '/endpoints')['endpoints']
                 if e['region_id'] == REGION}
    for stype, name, url in CATALOG:
        service = services.get(stype) or s.call(
            'POST', 'identity', '/services', json={'service': {'type': stype, 'name': name}})['service']
        for interface in ('public', 'internal', 'admin'):
            if (service['id'], interface) not in endpoints:
                log(f'creating {interface} endpoint for {stype}')
                s.call('POST', 'identity', '/endpoints', json={'endpoint': {
                    'service_id': service['id'], 'interface': interface, 'url': url,
                    'region_id': REGION}})


# ---------------------------------------------------------------- resources

def ensure_flavors(admin):
    existing = {f['name']: f for f in admin.call(
        'GET', 'compute', '/flavors/detail', params={'is_public': 'None'})['flavors']}
    ids = {}
    for name, vcpus, ram, disk in FLAVORS:
        flavor = existing.get(name)
        if flavor is None:
            log(f'creating flavor {name}')
            flavor = admin.call('POST', 'compute', '/flavors', json={'flavor': {
                'name': name, 'vcpus': vcpus, 'ram': ram, 'disk': disk}})['flavor']
        ids[name] = flavor['id']
    return ids


def ensure_network(admin, name, physnet, project_id, shared, external, cidr):
    found = admin.call('GET', 'network', '/v2.0/networks', params={'name': name})['networks']
    if found:
        net = found[0]
    else:
        log(f'creating network {name}')
        net = admin.call('POST', 'network', '/v2.0/networks', json={'network': {
            'name': name, 'project_id': project_id, 'shared': shared, 'router:external': external,
            'provider:network_type': 'flat', 'provider:physical_network': physnet}})['network']
    subnet_name = f'{name}-subnet'
    found = admin.call('GET', 'network', '/v2.0/subnets',
                       params={'name': subnet_name, 'network_id': net['id']})['subnets']
    if found:
        subnet = found[0]
    else:
        log(f'creating subnet {subnet_name}')
        subnet = admin.call('POST', 'network', '/v2.0/subnets', json={'subnet': {
            'name': subnet_name, 'network_id': net['id'], 'project_id': project_id,
            'ip_version': 4, 'cidr': cidr}})['subnet']
    return {'id': net['id'], 'subnet_id': subnet['id'], 'cidr': cidr}


def ensure_image(admin):
    found = admin.call('GET', 'image', '/v2/images', params={'name': IMAGE_NAME})['images']
    image = found[0] if found else admin.call('POST', 'image', '/v2/images', json={
        'name': IMAGE_NAME, 'disk_format': 'raw', 'container_format': 'bare',
        'visibility': 'public', 'os_distro': 'ubuntu', 'os_version': '22.04'})
    if image['status'] == 'queued':
        log(f'uploading placeholder bytes to image {IMAGE_NAME}')
        data = b'osm lab placeholder image for ubuntu-22.04-jammy\n'.ljust(4096, b'\0') * 256
        admin.call('PUT', 'image', f'/v2/images/{image["id"]}/file', data=data,
                   headers={'Content-Type': 'application/octet-stream'})
    return image['id']


def ensure_security_groups(osm):
    groups = {}
    for name in ('default', 'osm-sg'):
        found = osm.call('GET', 'network', '/v2.0/security-groups',
                         params={'name': name, 'project_id': osm.project_id})['security_groups']
        if not found and name == 'osm-sg':
            log('creating security group osm-sg')
            found = [osm.call('POST', 'network', '/v2.0/security-groups', json={'security_group': {
                'name': name, 'description': 'osm lab security group'}})['security_group']]
        if not found:
            raise ApiError(f'project osm has no security group {name}')
        groups[name] = found[0]['id']
    return groups


def ensure_keypair(osm):
    if osm.exists('compute', '/os-keypairs/default-keypair'):
        return
    key = os.path.join(STATE_DIR, 'default-keypair')
    if not os.path.exists(key):
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'osm-lab', '-f', key],
                       check=True)
    with open(key + '.pub') as f:
        public_key = f.read().strip()
    log('creating keypair default-keypair')
    osm.call('POST', 'compute', '/os-keypairs', json={'keypair': {
        'name': 'default-keypair', 'public_key': public_key}})


def ensure_volume_types(admin):
    existing = {t['name'] for t in admin.call('GET', 'volumev3', '/types')['volume_types']}
    for name in VOLUME_TYPES:
        if name not in existing:
            log(f'creating volume type {name}')
            admin.call('POST', 'volumev3', '/types', json={'volume_type': {
                'name': name, 'os-volume-type-access:is_public': True}})
    return ['__DEFAULT__', *VOLUME_TYPES]


def roomy_quotas(admin, project_id):
    admin.call('PUT', 'compute', f'/os-quota-sets/{project_id}', json={'quota_set': {
        'instances': -1, 'cores': -1, 'ram': -1, 'key_pairs': -1}})
    admin.call('PUT', 'volumev3', f'/os-quota-sets/{project_id}', json={'quota_set': {
        'volumes': -1, 'gigabytes': -1, 'snapshots': -1}})
    admin.call('PUT', 'network', f'/v2.0/quotas/{project_id}', json={'quota': {
        'port': -1, 'network': -1, 'subnet': -1, 'security_group': -1,
        'security_group_rule': -1}})


def ensure_bootable_volume(s, name):
    found = s.call('GET', 'volumev3', '/volumes/detail', params={'name': name})['volumes']
    if found:
        return found[0]['id']
    log(f'creating volume {name}')
    vol = s.call('POST', 'volumev3', '/volumes', json={'volume': {
        'name': name, 'size': 1, 'description': 'osm lab fixture'}})['volume']

    def available():
        v = s.call('GET', 'volumev3', f'/volumes/{vol["id"]}')['volume']
        if v['status'] == 'error':
            raise ApiError(f'volume {name} ({vol["id"]}) went to error; see cinder-volume.log')
        return v['status'] == 'available'
    wait_for(f'volume {name}', available, 120)
    s.call('POST', 'volumev3', f'/volumes/{vol["id"]}/action',
           json={'os-set_bootable': {'bootable': True}})
    return vol['id']


def ensure_port(s, name, network_id, security_groups=None):
    found = s.call('GET', 'network', '/v2.0/ports',
                   params={'name': name, 'project_id': s.project_id})['ports']
    if found:
        return found[0]['id']
    log(f'creating port {name}')
    body = {'name': name, 'network_id': network_id}
    if security_groups:
        body['security_groups'] = security_groups
    return s.call('POST', 'network', '/v2.0/ports', json={'port': body})['port']['id']


def ensure_server(s, name, flavor_id, volume_id, port_id):
    found = s.call('GET', 'compute', '/servers/detail', params={'name': f'^{name}$'})['servers']
    if found:
        server = found[0]
    else:
        log(f'booting server {name} from volume')
        server = s.call('POST', 'compute', '/servers', json={'server': {
            'name': name, 'flavorRef': flavor_id, 'networks': [{'port': port_id}],
            'block_device_mapping_v2': [{
                'uuid': volume_id, 'source_type': 'volume', 'destination_type': 'volume',
                'boot_index': 0, 'delete_on_termination': False}]}})['server']

    def active():
        srv = s.call('GET', 'compute', f'/servers/{server["id"]}')['server']
        if srv['status'] == 'ERROR':
            fault = srv.get('fault', {}).get('message', 'no fault message')
            raise ApiError(f'server {name} ({server["id"]}) is in ERROR: {fault}. '
                           'Delete it (or run lab/openstack/down and remove the lab dir) and rerun up.')
        return srv['status'] == 'ACTIVE'
    wait_for(f'server {name} to be ACTIVE', active, 180)
    return server['id']


def credential(username, password, session, project_name):
    return {'username': username, 'password': password, 'project_name': project_name,
            'project_id': session.project_id, 'user_id': session.user_id,
            'user_domain_name': 'Default', 'project_domain_name': 'Default'}


def seed_resources():
    admin = Session('admin', ADMIN_PASSWORD, 'admin')
    osm = Session('osm', OSM_PASSWORD, 'osm')
    ffp = Session('ffp', FFP_PASSWORD, 'ffp')

    flavors = ensure_flavors(admin)
    networks = {
        'public': ensure_network(admin, 'public', 'public', admin.project_id, False, True,
                                 '203.0.113.0/24'),
        'frontier-net': ensure_network(admin, 'frontier-net', 'frontier', osm.project_id, True, False,
                                       '192.168.50.0/24'),
    }
    image_id = ensure_image(admin)
    security_groups = ensure_security_groups(osm)
    ensure_keypair(osm)
    volume_types = ensure_volume_types(admin)
    roomy_quotas(admin, osm.project_id)

    frontier = networks['frontier-net']['id']
    ffp_volume = ensure_bootable_volume(ffp, f'{FOREIGN_SERVER}-root')
    ffp_port = ensure_port(ffp, f'{FOREIGN_SERVER}-port', frontier)
    ffp_server = ensure_server(ffp, FOREIGN_SERVER, flavors['m1.small-bfv'], ffp_volume, ffp_port)

    ch_volume = ensure_bootable_volume(osm, f'{CONVERSION_HOST}-root')
    ch_port = ensure_port(osm, f'{CONVERSION_HOST}-port', frontier, [security_groups['osm-sg']])
    ch_server = ensure_server(osm, CONVERSION_HOST, flavors['m2.4'], ch_volume, ch_port)

    facts = {
        'auth_url': KEYSTONE,
        'region': REGION,
        'interface': 'public',
        'osm': credential('osm', OSM_PASSWORD, osm, 'osm'),
        'admin': credential('admin', ADMIN_PASSWORD, admin, 'admin'),
        'ffp': credential('ffp', FFP_PASSWORD, ffp, 'ffp'),
        'endpoints': osm.endpoints,
        'flavors': flavors,
        'networks': networks,
        'security_groups': security_groups,
        'keypair': {'name': 'default-keypair',
                    'private_key_file': os.path.join(STATE_DIR, 'default-keypair')},
        'image': {'name': IMAGE_NAME, 'id': image_id},
        'volume_types': volume_types,
        'conversion_host': {'name': CONVERSION_HOST, 'uuid': ch_server, 'volume_id': ch_volume,
                            'port_id': ch_port},
        'foreign': {'project_name': 'ffp', 'project_id': ffp.project_id,
                    'server_name': FOREIGN_SERVER, 'server_id': ffp_server,
                    'volume_id': ffp_volume, 'port_id': ffp_port},
        'by_id_dir': os.environ['LAB_BY_ID_DIR'],
        'cinder_volumes_dir': os.environ['LAB_CINDER_VOLUMES_DIR'],
    }
    write_facts('openstack.json', facts)
    seed_assessment()


# ---------------------------------------------------------------- assessment fixtures

SMALL_PROJECT = 'osm-small'
SMALL_PASSWORD = 'osm-lab-small'
# Low enough that 30 one-vCPU VMs do not fit at once: the assessment reports the shortfall, waves split by it.
SMALL_QUOTAS = {'instances': 4, 'cores': 4, 'ram': 4096, 'volumes': 4, 'gigabytes': 50, 'port': 6}
# The MAC of the simulator's osm-snapshot VM (lab/vsphere/vcsim/layout.go: test VM 9, NIC 0).
HELD_MAC = '00:50:56:01:09:00'
MAC_HOLDER_PORT = 'ffp-mac-holder'


def write_facts(name, facts):
    path = os.path.join(LAB_DIR, name)
    fd = os.open(path + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        json.dump(facts, f, indent=2)
        f.write('\n')
    os.replace(path + '.tmp', path)


def seed_assessment():
    """Idempotent; touches neither project osm nor its quotas."""
    admin = Session('admin', ADMIN_PASSWORD, 'admin')
    ids = Identity(admin)
    roles = {name: ids.ensure('roles', {'name': name}) for name in ('member', 'reader')}
    project = ids.ensure('projects', {'name': SMALL_PROJECT, 'domain_id': 'default',
                                      'description': 'osm lab: assessment fixture with low quotas'})
    user = ids.ensure('users', {'name': SMALL_PROJECT, 'domain_id': 'default', 'password': SMALL_PASSWORD,
                                'default_project_id': project['id']})
    ids.grant(project, user, roles['member'])
    ids.grant(project, user, roles['reader'])
    q = SMALL_QUOTAS
    admin.call('PUT', 'compute', f'/os-quota-sets/{project["id"]}', json={'quota_set': {
        'instances': q['instances'], 'cores': q['cores'], 'ram': q['ram']}})
    admin.call('PUT', 'volumev3', f'/os-quota-sets/{project["id"]}', json={'quota_set': {
        'volumes': q['volumes'], 'gigabytes': q['gigabytes']}})
    admin.call('PUT', 'network', f'/v2.0/quotas/{project["id"]}', json={'quota': {'port': q['port']}})
    small = Session(SMALL_PROJECT, SMALL_PASSWORD, SMALL_PROJECT)

    ffp = Session('ffp', FFP_PASSWORD, 'ffp')
    frontier = admin.call('GET', 'network', '/v2.0/networks', params={'name': 'frontier-net'})['networks']
    if not frontier:
        raise ApiError('network frontier-net is missing: run seed.py resources first')
    found = ffp.call('GET', 'network', '/v2.0/ports',
                     params={'name': MAC_HOLDER_PORT, 'project_id': ffp.project_id})['ports']
    if found:
        port = found[0]
    else:
        log(f'creating port {MAC_HOLDER_PORT} with MAC {HELD_MAC}')
        port = admin.call('POST', 'network', '/v2.0/ports', json={'port': {
            'name': MAC_HOLDER_PORT, 'network_id': frontier[0]['id'], 'project_id': ffp.project_id,
            'mac_address': HELD_MAC, 'description': 'osm lab fixture: holds a MAC of a simulator VM'}})['port']
    write_facts('openstack-assessment.json', {
        'small': {**credential(SMALL_PROJECT, SMALL_PASSWORD, small, SMALL_PROJECT), 'quotas': SMALL_QUOTAS},
        'mac_holder': {'project_id': ffp.project_id, 'port_id': port['id'], 'name': MAC_HOLDER_PORT,
                       'mac': HELD_MAC, 'network_id': frontier[0]['id']},
    })


def main():
    steps = {'identity': seed_identity, 'resources': seed_resources, 'assessment': seed_assessment}
    if len(sys.argv) != 2 or sys.argv[1] not in steps:
        sys.exit(f'usage: {sys.argv[0]} identity|resources|assessment')
    try:
        steps[sys.argv[1]]()
    except (ApiError, requests.RequestException) as e:
        sys.exit(f'[openstack seed] {sys.argv[1]} failed: {e}')


if __name__ == '__main__':
    main()
