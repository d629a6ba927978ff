/**
 * HalfCheetah: a planar 2-legged runner, masses rescaled to 14 kg, explicit Euler integration, angles in
 * radians. Written from the physical parameters of Gymnasium's half_cheetah.xml.
 */
interface Link {
  name: string;
  pos: string;
  range: string;
  stiffness: number;
  damping: number;
  geomPos: string;
  geomAngle: number;
  halfLength: number;
}

function chain(links: Link[]): string {
  if (links.length === 0) return '';
  const [link, ...rest] = links;
  return `
      <body name="${link.name}" pos="${link.pos}">
        <joint name="${link.name}" type="hinge" axis="0 1 0" range="${link.range}" stiffness="${link.stiffness}" damping="${link.damping}"/>
        <geom name="${link.name}" type="capsule" pos="${link.geomPos}" axisangle="0 1 0 ${link.geomAngle}" size="0.046 ${link.halfLength}"/>${chain(rest)}
      </body>`;
}

const BACK_LEG: Link[] = [
  {
    name: 'bthigh',
    pos: '-0.5 0 0',
    range: '-0.52 1.05',
    stiffness: 240,
    damping: 6,
    geomPos: '0.1 0 -0.13',
    geomAngle: -3.8,
    halfLength: 0.145,
  },
  {
    name: 'bshin',
    pos: '0.16 0 -0.25',
    range: '-0.785 0.785',
    stiffness: 180,
    damping: 4.5,
    geomPos: '-0.14 0 -0.07',
    geomAngle: -2.03,
    halfLength: 0.15,
  },
  {
    name: 'bfoot',
    pos: '-0.28 0 -0.14',
    range: '-0.4 0.785',
    stiffness: 120,
    damping: 3,
    geomPos: '0.03 0 -0.097',
    geomAngle: -0.27,
    halfLength: 0.094,
  },
];
const FRONT_LEG: Link[] = [
  {
    name: 'fthigh',
    pos: '0.5 0 0',
    range: '-1 0.7',
    stiffness: 180,
    damping: 4.5,
    geomPos: '-0.07 0 -0.12',
    geomAngle: 0.52,
    halfLength: 0.133,
  },
  {
    name: 'fshin',
    pos: '-0.14 0 -0.24',
    range: '-1.2 0.87',
    stiffness: 120,
    damping: 3,
    geomPos: '0.065 0 -0.09',
    geomAngle: -0.6,
    halfLength: 0.106,
  },
  {
    name: 'ffoot',
    pos: '0.13 0 -0.18',
    range: '-0.5 0.5',
    stiffness: 60,
    damping: 1.5,
    geomPos: '0.045 0 -0.07',
    geomAngle: -0.6,
    halfLength: 0.07,
  },
];
const GEARS = { bthigh: 120, bshin: 90, bfoot: 60, fthigh: 120, fshin: 60, ffoot: 30 };

export const HALF_CHEETAH_XML = `
<mujoco model="cheetah">
  <compiler angle="radian" inertiafromgeom="true" settotalmass="14"/>
  <option timestep="0.01" gravity="0 0 -9.81"/>
  <size memory="1M"/>
  <default>
    <joint armature="0.1" damping="0.01" stiffness="8" solimplimit="0 0.8 0.03" solreflimit="0.02 1"/>
    <geom contype="1" conaffinity="0" condim="3" friction="0.4 0.1 0.1" solimp="0 0.8 0.01" solref="0.02 1"/>
    <motor ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="40 40 40" conaffinity="1" condim="3"/>
    <body name="torso" pos="0 0 0.7">
      <joint name="rootx" type="slide" axis="1 0 0" armature="0" damping="0" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" armature="0" damping="0" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" armature="0" damping="0" stiffness="0"/>
      <geom name="torso" type="capsule" fromto="-0.5 0 0 0.5 0 0" size="0.046"/>
      <geom name="head" type="capsule" pos="0.6 0 0.1" axisangle="0 1 0 0.87" size="0.046 0.15"/>${chain(BACK_LEG)}${chain(FRONT_LEG)}
    </body>
  </worldbody>
  <actuator>
${Object.entries(GEARS)
  .map(([joint, gear]) => `    <motor name="${joint}" joint="${joint}" gear="${gear}"/>`)
  .join('\n')}
  </actuator>
</mujoco>
`;
