// Cluster boot to formed, from cached images: seven containers started in the modelled
// order until repmgr, the witness and both routers agree. One cluster at a time: each boot
// but the last is torn down before the next; the last serves the other sections.
import { startCluster, type Cluster } from '../fixtures/cluster.ts';
import type { ClusterImages } from '../fixtures/images.ts';
import { note } from '../fixtures/progress.ts';

export async function measureBoots(images: ClusterImages, repeat: number): Promise<{ seconds: number[]; cluster: Cluster }> {
  const seconds: number[] = [];
  for (let i = 1; ; i++) {
    const cluster = await startCluster({ images });
    seconds.push(cluster.info.bootSeconds);
    note(`  boot ${i}/${repeat}: formed in ${cluster.info.bootSeconds.toFixed(1)} s`);
    if (i >= repeat) return { seconds, cluster };
    await cluster.stop();
  }
}
