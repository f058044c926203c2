/** Saves a Blob under a file name through a temporary link, which is what browsers download from. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers, so wait a little.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
