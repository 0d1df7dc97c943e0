// Image references as nodes report them in status.images (docker.io/library/nginx:latest).
export function normalizeImageName(image: string): string {
  let name = image;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (!(first.includes('.') || first.includes(':') || first === 'localhost'))
    name = `docker.io/${slash < 0 ? 'library/' : ''}${name}`;
  const last = name.slice(name.lastIndexOf('/') + 1);
  if (!last.includes(':') && !name.includes('@')) name += ':latest';
  return name;
}
